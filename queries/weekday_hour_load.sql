-- name: weekday_hour_load
-- description: Mean demand per site by local ISO weekday and local hour of day (the load
--   heat map): the average over the period's 15-minute slots of that weekday and hour of the
--   slot demand (the site's consumption in the slot x 4). Every slot weighs the same, so the
--   doubled hour of a fall-back day counts twice and the skipped hour of a spring-forward day
--   not at all.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: weekday (bigint): local ISO weekday, 1 = Monday ... 7 = Sunday
-- column: hour (bigint): local hour of day, 0-23
-- column: mean_kw (double): mean demand in that weekday and hour, kW
-- column: slots (bigint): 15-minute slots averaged
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
),
site_slots AS (
  SELECT s.site_id, s.slot_start, s.local_weekday, s.local_hour, sum(s.kwh) AS kwh
  FROM interval_slots s
  CROSS JOIN params p
  WHERE s.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.slot_start, s.local_weekday, s.local_hour
)
SELECT site_id, local_weekday AS weekday, local_hour AS hour, avg(kwh * 4) AS mean_kw, count(*) AS slots
FROM site_slots
GROUP BY site_id, local_weekday, local_hour
ORDER BY site_id, weekday, hour
