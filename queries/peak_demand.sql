-- name: peak_demand
-- description: Highest 15-minute demand per site and local month (the site's consumption in
--   the slot x 4, to 1e-9 kW), with the slot's start, against the site's contracted capacity.
--   Ties go to the earliest slot.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- column: site_id (varchar): site
-- column: month (date): first day of the local month
-- column: peak_kw (double): highest 15-minute demand, kW
-- column: peak_slot_start_local (varchar): start of that slot, local wall-clock time YYYY-MM-DD HH:MM
-- column: peak_slot_start_utc (timestamp(3)): start of that slot, UTC
-- column: contracted_capacity_kw (double): the site's contracted capacity, kW (NULL when unknown)
-- column: capacity_used_pct (double): peak as a share of the contracted capacity, %
-- column: exceeds_capacity (boolean): whether the peak is above the contracted capacity
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id
),
site_slots AS (
  -- Rounded to 1e-9 kW, so that equal slots tie (and the earliest wins) whatever order the
  -- engine added their intervals in.
  SELECT s.site_id, s.local_month, s.slot_start, s.local_slot_start, round(sum(s.kwh) * 4, 9) AS demand_kw
  FROM interval_slots s
  CROSS JOIN params p
  WHERE s.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, s.local_month, s.slot_start, s.local_slot_start
),
ranked AS (
  SELECT site_id, local_month, slot_start, local_slot_start, demand_kw,
         row_number() OVER (PARTITION BY site_id, local_month ORDER BY demand_kw DESC, slot_start) AS position
  FROM site_slots
)
SELECT r.site_id, r.local_month AS month, r.demand_kw AS peak_kw,
       -- Wall-clock text, not a timestamp: a timestamp reads as UTC to most clients.
       CAST(CAST(r.local_slot_start AS date) AS varchar) || ' '
         || lpad(CAST(hour(r.local_slot_start) AS varchar), 2, '0') || ':'
         || lpad(CAST(minute(r.local_slot_start) AS varchar), 2, '0') AS peak_slot_start_local,
       r.slot_start AS peak_slot_start_utc,
       c.contracted_capacity_kw,
       100 * r.demand_kw / nullif(c.contracted_capacity_kw, 0) AS capacity_used_pct,
       r.demand_kw > c.contracted_capacity_kw AS exceeds_capacity
FROM ranked r
LEFT JOIN sites c ON c.site_id = r.site_id
WHERE r.position = 1
ORDER BY r.site_id, month
