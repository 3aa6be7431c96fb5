with names as (
  select a.rowid, a.actor_id, concat_ws(' ', a.name, a.label_as_printed,
    (select group_concat(l.label_as_printed, ' ') from actor_listings l where l.actor_id = a.actor_id),
    (select group_concat(x.alias, ' ') from actor_aliases x where x.actor_id = a.actor_id)) as text,
    (select concat_ws(' ', s.name_en, s.name_tr, s.name_ru) from states s where s.state_code = a.state_code) as state,
    roles_of(a.role_category) as office
  from actors a
)
select a.rowid, concat_ws(' ', a.actor_id, a.name, a.label_as_printed, a.role_as_printed, a.role_category, a.state_code,
  n.text, name_forms(n.text), n.state, name_forms(n.state), n.office, word_forms(n.office),
  (select group_concat(c.handle || ' ' || c.handle_as_printed, ' ') from accounts c where c.actor_id = a.actor_id))
from actors a join names n on n.rowid = a.rowid
