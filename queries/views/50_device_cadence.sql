-- view: device_cadence
-- description: Each device's median interval between consecutive readings (exact median: the
--   middle interval, or the mean of the two middle ones), the unit of expected readings and
--   gaps (metering rule 8: a gap is an interval longer than 3 median intervals).
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
SELECT device_id, avg(CAST(duration_ms AS double)) AS median_interval_ms
FROM (
  SELECT device_id, duration_ms,
         row_number() OVER (PARTITION BY device_id ORDER BY duration_ms) AS position,
         count(*) OVER (PARTITION BY device_id) AS intervals
  FROM reading_intervals
) ranked
-- The middle one (odd count) or two (even count), without integer division.
WHERE 2 * position BETWEEN intervals AND intervals + 2
GROUP BY device_id
