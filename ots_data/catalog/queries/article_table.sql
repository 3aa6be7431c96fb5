select
  row_number as "Row",
  label_as_printed as "Digital Diplomacy Actors",
  max(case when platform = 'twitter' then cell_text end) as "Twitter (Followers)",
  max(case when platform = 'instagram' then cell_text end) as "Instagram (Followers)",
  max(case when platform = 'facebook' then cell_text end) as "Facebook (Followers)",
  max(case when platform = 'youtube' then cell_text end) as "Youtube (Subscribers)",
  -- not printed: the key of the printed row, from which each cell links to its figure's row page
  listing_id
from printed_cells
where table_number = {table_number}
group by listing_id
order by row_number
