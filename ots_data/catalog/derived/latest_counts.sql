select a.account_id, a.platform, a.handle, a.actor_id, ac.name as actor_name, c.metric, c.observed_on,
  c.count, c.count_as_printed, c.count_precision, c.is_ambiguous, c.count_id, c.source_id
from accounts a
join actors ac on ac.actor_id = a.actor_id
join follower_counts c on c.count_id = (
  select f.count_id from follower_counts f
  where f.account_id = a.account_id
    and f.observed_on = (select max(g.observed_on) from follower_counts g where g.account_id = a.account_id)
  order by f.count is null, f.count_id limit 1)
