-- name: data_completeness
-- description: How complete each device's data is per local day. Expected readings = the
--   length of the local day (23, 24 or 25 hours) / the device's median interval; completeness =
--   distinct readings / expected; a gap is an interval longer than 3 median intervals, counted
--   on every local day it overlaps, with the minutes of the day it covers. Days a device was
--   silent throughout, inside a gap, are listed with 0 readings.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: device_id (varchar): meter
-- column: day (date): local day
-- column: readings (bigint): distinct readings during the day
-- column: expected (double): readings expected at the device's median interval
-- column: completeness_pct (double): readings / expected, %
-- column: gaps (bigint): gaps overlapping the day
-- column: gap_minutes (double): minutes of the day inside gaps
-- column: last_seen (timestamp(3)): the day's last reading, UTC (NULL when none)
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
),
day_readings AS (
  SELECT r.site_id, r.device_id, r.local_day, count(*) AS readings, max(r.ts) AS last_seen
  FROM local_readings r
  CROSS JOIN params p
  WHERE r.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR r.site_id = p.site_id)
  GROUP BY r.site_id, r.device_id, r.local_day
),
day_gaps AS (
  SELECT s.site_id, s.device_id, s.local_day,
         count(DISTINCT CASE WHEN s.interval_ms > 3 * c.median_interval_ms THEN s.interval_start END) AS gaps,
         sum(CASE WHEN s.interval_ms > 3 * c.median_interval_ms THEN s.overlap_ms ELSE 0 END) / 60000e0 AS gap_minutes
  FROM interval_slots s
  JOIN device_cadence c ON c.device_id = s.device_id
  CROSS JOIN params p
  WHERE s.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.device_id, s.local_day
),
device_days AS (
  SELECT site_id, device_id, local_day FROM day_readings
  UNION
  SELECT site_id, device_id, local_day FROM day_gaps
),
day_lengths AS (
  SELECT d.site_id, d.device_id, d.local_day,
         date_diff('millisecond',
                   CAST(at_timezone(with_timezone(CAST(d.local_day AS timestamp), coalesce(sites.timezone, 'UTC')), 'UTC') AS timestamp),
                   CAST(at_timezone(with_timezone(CAST(d.local_day + INTERVAL '1' DAY AS timestamp), coalesce(sites.timezone, 'UTC')), 'UTC') AS timestamp)) AS day_ms
  FROM device_days d
  LEFT JOIN sites ON sites.site_id = d.site_id
)
SELECT d.site_id, d.device_id, d.local_day AS day,
       coalesce(r.readings, 0) AS readings,
       d.day_ms / c.median_interval_ms AS expected,
       100 * coalesce(r.readings, 0) / (d.day_ms / c.median_interval_ms) AS completeness_pct,
       coalesce(g.gaps, 0) AS gaps,
       coalesce(g.gap_minutes, 0) AS gap_minutes,
       r.last_seen
FROM day_lengths d
LEFT JOIN device_cadence c ON c.device_id = d.device_id
LEFT JOIN day_readings r ON r.site_id = d.site_id AND r.device_id = d.device_id AND r.local_day = d.local_day
LEFT JOIN day_gaps g ON g.site_id = d.site_id AND g.device_id = d.device_id AND g.local_day = d.local_day
ORDER BY d.site_id, d.device_id, day
