select rowid, concat_ws(' ', commitment_id, domain, statement, quote, section, note) from commitments
