select a.rowid, concat_ws(' ', a.actor_id, a.name, a.label_as_printed, a.role_as_printed, a.role_category, a.state_code,
  (select group_concat(l.label_as_printed, ' ') from actor_listings l where l.actor_id = a.actor_id),
  (select group_concat(x.alias, ' ') from actor_aliases x where x.actor_id = a.actor_id),
  (select group_concat(c.handle || ' ' || c.handle_as_printed, ' ') from accounts c where c.actor_id = a.actor_id))
from actors a
