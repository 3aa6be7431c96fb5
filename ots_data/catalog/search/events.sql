select rowid, concat_ws(' ', event_id, title, event_type, date_as_printed, actor_ids, state_codes, quote, note) from events
