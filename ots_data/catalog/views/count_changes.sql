select o.account_id, o.metric, p.observed_on as previous_on, o.observed_on, p.count as previous_count, o.count,
  o.count - p.count as change,
  case when p.count > 0 then round(100.0 * (o.count - p.count) / p.count, 2) end as change_percent,
  p.count_id as previous_count_id, o.count_id
from account_observations o
join account_observations p on p.account_id = o.account_id and p.metric = o.metric
  and p.observed_on = (select max(g.observed_on) from follower_counts g
                       where g.account_id = o.account_id and g.metric = o.metric and g.observed_on < o.observed_on)
