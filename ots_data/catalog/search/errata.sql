select rowid, concat_ws(' ', erratum_id, category, topic, printed, source_locator, record, other_printed, affects, note,
  (select group_concat(e.title || ' ' || e.publisher, ' ') from erratum_evidence l join evidence e on e.evidence_id = l.evidence_id where l.erratum_id = errata.erratum_id),
  translations_of('errata', erratum_id)) from errata
