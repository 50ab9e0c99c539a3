-- name: consumption_anomalies
-- description: Days on which a site's consumption deviates from its baseline by more than a
--   z-score threshold. The baseline of a local day is the same weekday in each of the four
--   weeks before (7, 14, 21 and 28 days earlier): their mean and sample standard deviation.
--   Only days with all four baseline days and a non-zero deviation among them are scored.
--   Daily kWh are taken to 1e-9 kWh, so that equal days are exactly equal.
-- param: start_date (date, required): first local day to check, inclusive
-- param: end_date (date, required): last local day to check, inclusive
-- param: z_threshold (double, default 3): flag days with |z| above this
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: day (date): local day
-- column: weekday (bigint): ISO weekday, 1 = Monday ... 7 = Sunday
-- column: kwh (double): energy imported that day, kWh
-- column: baseline_kwh (double): mean of the four baseline days, kWh
-- column: baseline_stddev_kwh (double): sample standard deviation of the baseline days, kWh
-- column: z_score (double): (kwh - baseline_kwh) / baseline_stddev_kwh
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS double) AS z_threshold,
         CAST(? AS varchar) AS site_id
),
daily AS (
  -- Rounded to 1e-9 kWh (registers count whole Wh): sums of equal days are then exactly equal
  -- whatever order the engine added them in, so a flat baseline has a standard deviation of 0,
  -- not 1e-16 and a z-score of 1e15.
  SELECT s.site_id, s.local_day AS day, round(sum(s.kwh), 9) AS kwh
  FROM interval_slots s
  CROSS JOIN params p
  -- The period and the four weeks before it (the baseline of its first days).
  WHERE s.local_day BETWEEN CAST(date_add('day', -28, p.start_date) AS date) AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.local_day
),
scored AS (
  SELECT d.site_id, d.day, d.kwh,
         avg(b.kwh) AS baseline_kwh,
         stddev_samp(b.kwh) AS baseline_stddev_kwh,
         count(b.kwh) AS baseline_days
  FROM daily d
  JOIN daily b ON b.site_id = d.site_id AND date_diff('day', b.day, d.day) IN (7, 14, 21, 28)
  GROUP BY d.site_id, d.day, d.kwh
)
SELECT s.site_id, s.day, day_of_week(s.day) AS weekday, s.kwh, s.baseline_kwh, s.baseline_stddev_kwh,
       (s.kwh - s.baseline_kwh) / nullif(s.baseline_stddev_kwh, 0) AS z_score
FROM scored s
CROSS JOIN params p
WHERE s.day BETWEEN p.start_date AND p.end_date
  AND s.baseline_days = 4
  AND abs((s.kwh - s.baseline_kwh) / nullif(s.baseline_stddev_kwh, 0)) > p.z_threshold
ORDER BY s.site_id, s.day
