-- name: monthly_trend
-- description: Energy imported per site and local month, with the change against the previous
--   month (month over month) and against the same month a year earlier (year over year).
--   Changes are NULL when the month compared with has no consumption.
-- param: start_date (date, required): a day in the first month to list
-- param: end_date (date, required): a day in the last month to list
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: month (date): first day of the local month
-- column: kwh (double): energy imported in the month, kWh
-- column: previous_month_kwh (double): energy imported in the month before, kWh
-- column: mom_change_pct (double): change against the month before, %
-- column: previous_year_kwh (double): energy imported in the same month a year earlier, kWh
-- column: yoy_change_pct (double): change against the same month a year earlier, %
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
),
monthly AS (
  SELECT s.site_id, s.local_month AS month,
         year(s.local_month) * 12 + month(s.local_month) AS month_number,
         sum(s.kwh) AS kwh
  FROM interval_slots s
  CROSS JOIN params p
  -- Whole months, from a year before the first one (year-over-year) to the last one.
  WHERE s.local_month BETWEEN CAST(date_add('month', -12, CAST(date_trunc('month', p.start_date) AS date)) AS date) AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.local_month
)
SELECT m.site_id, m.month, m.kwh,
       previous_month.kwh AS previous_month_kwh,
       100 * (m.kwh - previous_month.kwh) / nullif(previous_month.kwh, 0) AS mom_change_pct,
       previous_year.kwh AS previous_year_kwh,
       100 * (m.kwh - previous_year.kwh) / nullif(previous_year.kwh, 0) AS yoy_change_pct
FROM monthly m
CROSS JOIN params p
LEFT JOIN monthly previous_month
  ON previous_month.site_id = m.site_id AND previous_month.month_number = m.month_number - 1
LEFT JOIN monthly previous_year
  ON previous_year.site_id = m.site_id AND previous_year.month_number = m.month_number - 12
WHERE m.month BETWEEN CAST(date_trunc('month', p.start_date) AS date) AND p.end_date
ORDER BY m.site_id, m.month
