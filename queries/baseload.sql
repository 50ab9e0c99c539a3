-- name: baseload
-- description: Night baseload per site and local day: the mean demand of the 15-minute slots
--   from 01:00 to 05:00 local time (the site's consumption in a slot x 4), and its share of the
--   day's consumption, i.e. the baseload drawn over all the hours of the day with data, against
--   what the site used that day.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: day (date): local day
-- column: baseload_kw (double): mean demand 01:00-05:00 local, kW (NULL without night data)
-- column: night_slots (bigint): 15-minute slots between 01:00 and 05:00 with data
-- column: hours (double): hours of the day with data (23 or 25 on a full daylight-saving day)
-- column: kwh (double): energy imported that day, kWh
-- column: baseload_kwh (double): baseload_kw x hours, kWh
-- column: baseload_share_pct (double): baseload_kwh as a share of kwh, %
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
),
site_slots AS (
  SELECT s.site_id, s.local_day, s.slot_start, s.local_hour, sum(s.kwh) AS kwh
  FROM interval_slots s
  CROSS JOIN params p
  WHERE s.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.local_day, s.slot_start, s.local_hour
),
daily AS (
  SELECT site_id, local_day,
         avg(CASE WHEN local_hour >= 1 AND local_hour < 5 THEN kwh * 4 END) AS baseload_kw,
         count(CASE WHEN local_hour >= 1 AND local_hour < 5 THEN 1 END) AS night_slots,
         count(*) / 4e0 AS hours,
         sum(kwh) AS kwh
  FROM site_slots
  GROUP BY site_id, local_day
)
SELECT site_id, local_day AS day, baseload_kw, night_slots, hours, kwh,
       baseload_kw * hours AS baseload_kwh,
       100 * baseload_kw * hours / nullif(kwh, 0) AS baseload_share_pct
FROM daily
ORDER BY site_id, day
