-- name: daily_consumption
-- description: Energy imported per site, device and local day (the site's timezone; UTC for a
--   site missing from `sites`). Intervals are split in proportion to time across local
--   midnight, so a gap spanning midnight is shared between the two days; a spring-forward day
--   has 23 hours, a fall-back day 25.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: device_id (varchar): meter
-- column: day (date): local day in the site's timezone
-- column: kwh (double): energy imported during that day, kWh
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
)
SELECT s.site_id, s.device_id, s.local_day AS day, sum(s.kwh) AS kwh
FROM interval_slots s
CROSS JOIN params p
WHERE s.local_day BETWEEN p.start_date AND p.end_date
  AND (p.site_id IS NULL OR s.site_id = p.site_id)
GROUP BY s.site_id, s.device_id, s.local_day
ORDER BY s.site_id, s.device_id, day
