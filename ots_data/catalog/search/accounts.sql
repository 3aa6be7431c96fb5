select c.rowid, concat_ws(' ', c.handle, c.handle_as_printed, c.platform, a.name,
  (select group_concat(x.alias, ' ') from actor_aliases x where x.actor_id = c.actor_id))
from accounts c join actors a on a.actor_id = c.actor_id
