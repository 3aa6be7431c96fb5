select rowid, concat_ws(' ', erratum_id, category, printed, source_locator, record, evidence, affects, note) from errata
