select rowid, concat_ws(' ', erratum_id, category, printed, source_locator, record, evidence, affects, note, translations_of('errata', erratum_id)) from errata
