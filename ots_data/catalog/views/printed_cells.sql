select l.listing_id, l.table_number, l.row_number, l.label_as_printed, cells.platform, cells.cell_text
from actor_listings l
join (
  -- group_concat follows the subquery's order in practice; the raw round-trip tests guard it
  select c.listing_id, a.platform, group_concat(c.cell_text_as_printed, ' ') as cell_text
  from (select * from follower_counts where listing_id is not null order by listing_id, entry_number) c
  join accounts a on a.account_id = c.account_id
  group by c.listing_id, a.platform
  union all
  select listing_id, platform, case when absence_kind = 'cell_not_printed' then null else as_printed end
  from absences where listing_id is not null
) cells on cells.listing_id = l.listing_id
