-- name: top_consumers
-- description: The sites or devices that imported the most energy over a period, ranked, with
--   their share of the total of all sites or devices in the period (in the site filter, when
--   given). Equal consumption (to 1e-9 kWh) shares a rank.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: rank_by (varchar, default device, one of device|site): rank devices or sites
-- param: top_n (integer, default 10): how many ranks to list
-- param: site_id (varchar, optional): only this site's devices; all sites when omitted
-- column: rank (bigint): 1 = the largest consumer
-- column: site_id (varchar): site
-- column: device_id (varchar): meter (NULL when ranking sites)
-- column: kwh (double): energy imported in the period, kWh
-- column: share_pct (double): share of the total, %
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS rank_by,
         CAST(? AS integer) AS top_n, CAST(? AS varchar) AS site_id
),
consumers AS (
  -- Rounded to 1e-9 kWh (registers count whole Wh), so that equal consumers tie whatever order
  -- the engine added their slots in.
  SELECT s.site_id, CASE WHEN p.rank_by = 'device' THEN s.device_id END AS device_id, round(sum(s.kwh), 9) AS kwh
  FROM interval_slots s
  CROSS JOIN params p
  WHERE s.local_day BETWEEN p.start_date AND p.end_date
    AND (p.site_id IS NULL OR s.site_id = p.site_id)
  GROUP BY s.site_id, CASE WHEN p.rank_by = 'device' THEN s.device_id END
),
ranked AS (
  SELECT site_id, device_id, kwh,
         rank() OVER (ORDER BY kwh DESC) AS position,
         100 * kwh / nullif(sum(kwh) OVER (), 0) AS share_pct
  FROM consumers
)
SELECT r.position AS rank, r.site_id, r.device_id, r.kwh, r.share_pct
FROM ranked r
CROSS JOIN params p
WHERE r.position <= p.top_n
ORDER BY r.position, r.site_id, r.device_id
