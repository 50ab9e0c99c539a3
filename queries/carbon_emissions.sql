-- name: carbon_emissions
-- description: Greenhouse-gas emissions of the energy imported per site and local month: each
--   local day's kWh times the emission factor of the site's region valid on that day (factors
--   change over time, so a month can mix two). Energy without a factor (site without a region,
--   day outside every factor's validity) is counted apart, never priced at zero silently.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: region (varchar): grid region of the site (NULL when unknown)
-- column: month (date): first day of the local month
-- column: kwh (double): energy imported in the month, kWh
-- column: kg_co2e (double): emissions of the energy with a factor, kg CO2e
-- column: kwh_without_factor (double): energy no factor covers, kWh
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
),
daily AS (
  SELECT s.site_id, s.local_month, s.local_day, sum(s.kwh) AS kwh
  FROM interval_slots s
  CROSS JOIN params p
  WHERE s.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.local_month, s.local_day
)
SELECT d.site_id, sites.region, d.local_month AS month,
       sum(d.kwh) AS kwh,
       sum(d.kwh * f.kg_co2e_per_kwh) AS kg_co2e,
       sum(CASE WHEN f.kg_co2e_per_kwh IS NULL THEN d.kwh ELSE 0 END) AS kwh_without_factor
FROM daily d
LEFT JOIN sites ON sites.site_id = d.site_id
LEFT JOIN emission_factors f
  ON f.region = sites.region
 AND d.local_day >= f.valid_from AND (f.valid_to IS NULL OR d.local_day <= f.valid_to)
GROUP BY d.site_id, sites.region, d.local_month
ORDER BY d.site_id, month
