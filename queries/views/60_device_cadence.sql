-- view: device_cadence
-- description: Each device's median interval between consecutive readings (exact median: the
--   middle interval, or the mean of the two middle ones), the unit of expected readings and
--   gaps (metering rule 8: a gap is an interval longer than 3 median intervals). Computed from
--   counts of intervals by length: the rollup's (per UTC day of the intervals' end) and the
--   live ones it does not hold (ending at or after their day's `built_until`).
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
WITH lengths AS (
  SELECT device_id, interval_ms, sum(intervals) AS intervals
  FROM (
    SELECT device_id, interval_ms, intervals FROM interval_durations_closed
    UNION ALL
    SELECT l.device_id, l.duration_ms, 1
    FROM live_intervals l
    LEFT JOIN (
      -- Live intervals end after the earliest anchor: older partitions need not be read.
      SELECT DISTINCT c.dt, c.built_until
      FROM interval_durations_closed c
      JOIN (SELECT CAST(CAST(coalesce(min(ts), TIMESTAMP '1970-01-01 00:00:00.000') AS date) AS varchar) AS first_day FROM rollup_anchors) a
        ON c.dt >= a.first_day
    ) b
      ON b.dt = CAST(CAST(l.end_ts AS date) AS varchar)
    WHERE b.built_until IS NULL OR l.end_ts >= b.built_until
  ) counted
  GROUP BY device_id, interval_ms
),
cumulative AS (
  SELECT device_id, interval_ms,
         sum(intervals) OVER (PARTITION BY device_id ORDER BY interval_ms ROWS UNBOUNDED PRECEDING) - intervals AS earlier,
         sum(intervals) OVER (PARTITION BY device_id ORDER BY interval_ms ROWS UNBOUNDED PRECEDING) AS through,
         sum(intervals) OVER (PARTITION BY device_id) AS total
  FROM lengths
)
-- Of n intervals the middle positions are ceil(n/2) and floor(n/2) + 1 (the same one when n is
-- odd); a length covers positions (earlier, through]. Written without division, which Trino
-- does in integers.
SELECT device_id,
       (max(CASE WHEN 2 * earlier < total AND total <= 2 * through THEN interval_ms END)
        + max(CASE WHEN 2 * earlier <= total AND total < 2 * through THEN interval_ms END)) / 2e0 AS median_interval_ms
FROM cumulative
GROUP BY device_id
