-- name: time_of_use_cost
-- description: Energy and its cost per site, local month and tariff band. Each 15-minute slot
--   is priced by the band of the site's tariff that covers the slot's local start time on its
--   local weekday, in the tariff version valid on that local day (band edges are on 15-minute
--   boundaries, so a slot never straddles two bands). Consumption no band covers (site without
--   a tariff, day outside every version) is listed with band and cost NULL, never dropped.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: month (date): first day of the local month
-- column: band (varchar): tariff band (NULL: consumption no band covers)
-- column: currency (varchar): currency of the tariff
-- column: kwh (double): energy imported in the band, kWh
-- column: cost (double): energy cost in the band, in the currency
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
),
site_slots AS (
  SELECT s.site_id, s.local_month, s.local_day, s.local_weekday, s.local_minute_of_day, sum(s.kwh) AS kwh
  FROM interval_slots s
  CROSS JOIN params p
  WHERE s.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.local_month, s.local_day, s.local_weekday, s.local_minute_of_day
),
bands AS (
  SELECT tariff_id, band, days, price_per_kwh, currency, valid_from, valid_to,
         CAST(substr(start_local, 1, 2) AS integer) * 60 + CAST(substr(start_local, 4, 2) AS integer) AS start_minute,
         CAST(substr(end_local, 1, 2) AS integer) * 60 + CAST(substr(end_local, 4, 2) AS integer) AS end_minute
  FROM tariffs
),
priced AS (
  SELECT s.site_id, s.local_month, b.band, b.currency, s.kwh, s.kwh * b.price_per_kwh AS cost
  FROM site_slots s
  LEFT JOIN sites ON sites.site_id = s.site_id
  LEFT JOIN bands b
    ON b.tariff_id = sites.tariff_id
   AND s.local_day >= b.valid_from AND (b.valid_to IS NULL OR s.local_day <= b.valid_to)
   AND (b.days = 'all' OR (b.days = 'mon-fri' AND s.local_weekday <= 5) OR (b.days = 'sat-sun' AND s.local_weekday >= 6))
   -- end < start wraps midnight within the day: 22:00-06:00 is 22:00-24:00 and 00:00-06:00.
   AND CASE WHEN b.start_minute < b.end_minute
            THEN s.local_minute_of_day >= b.start_minute AND s.local_minute_of_day < b.end_minute
            ELSE s.local_minute_of_day >= b.start_minute OR s.local_minute_of_day < b.end_minute END
)
SELECT site_id, local_month AS month, band, currency, sum(kwh) AS kwh, sum(cost) AS cost
FROM priced
GROUP BY site_id, local_month, band, currency
ORDER BY site_id, month, band NULLS LAST, currency
