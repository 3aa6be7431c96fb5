select rowid, concat_ws(' ', commitment_id, domain, statement, quote, section, note, translations_of('commitments', commitment_id)) from commitments
