select c.account_id, c.metric, c.observed_on, c.count, c.count_as_printed, c.count_precision, c.is_ambiguous, c.count_id, c.source_id
from follower_counts c
where c.count_id = (
  select f.count_id from follower_counts f
  where f.account_id = c.account_id and f.observed_on = c.observed_on and f.metric = c.metric
  order by f.count is null, f.count_id limit 1)
