-- name: power_quality
-- description: Supply voltage outside the EN 50160 band (230 V +-10 %, i.e. 207-253 V, limits
--   inside the band) per device and local day: how many readings and how many minutes. A
--   reading stands for the time since the device's previous reading, at most one median
--   interval (a device's first reading: one median interval), so a gap before an out-of-band
--   reading does not count as hours out of band.
-- param: start_date (date, required): first local day, inclusive
-- param: end_date (date, required): last local day, inclusive
-- param: site_id (varchar, optional): only this site; all sites when omitted
-- param: nominal_voltage (double, default 230): nominal supply voltage, V
-- param: tolerance_pct (double, default 10): allowed deviation from nominal, %
-- column: site_id (varchar): site
-- column: device_id (varchar): meter
-- column: day (date): local day
-- column: readings (bigint): readings with a voltage
-- column: under_voltage (bigint): readings below the band
-- column: over_voltage (bigint): readings above the band
-- column: out_of_band (bigint): readings outside the band
-- column: minutes_out_of_band (double): minutes the out-of-band readings stand for
-- column: min_voltage_v (double): lowest voltage, V
-- column: max_voltage_v (double): highest voltage, V
WITH params AS (
  SELECT CAST(? AS date) AS start_date, CAST(? AS date) AS end_date, CAST(? AS varchar) AS site_id,
         CAST(? AS double) AS nominal_voltage, CAST(? AS double) AS tolerance_pct
),
band AS (
  SELECT start_date, end_date, site_id,
         nominal_voltage * (100 - tolerance_pct) / 100 AS low_v,
         nominal_voltage * (100 + tolerance_pct) / 100 AS high_v
  FROM params
),
samples AS (
  SELECT r.site_id, r.device_id, r.local_day, r.voltage_v,
         r.voltage_v < b.low_v AS below,
         r.voltage_v > b.high_v AS above,
         least(coalesce(r.since_previous_ms, c.median_interval_ms), c.median_interval_ms) AS weight_ms
  FROM local_readings r
  CROSS JOIN band b
  LEFT JOIN device_cadence c ON c.device_id = r.device_id
  WHERE r.voltage_v IS NOT NULL
    AND r.local_day BETWEEN b.start_date AND b.end_date
    AND (b.site_id IS NULL OR r.site_id = b.site_id)
)
SELECT site_id, device_id, local_day AS day,
       count(*) AS readings,
       count(CASE WHEN below THEN 1 END) AS under_voltage,
       count(CASE WHEN above THEN 1 END) AS over_voltage,
       count(CASE WHEN below OR above THEN 1 END) AS out_of_band,
       coalesce(sum(CASE WHEN below OR above THEN weight_ms END), 0) / 60000e0 AS minutes_out_of_band,
       min(voltage_v) AS min_voltage_v,
       max(voltage_v) AS max_voltage_v
FROM samples
GROUP BY site_id, device_id, local_day
ORDER BY site_id, device_id, day
