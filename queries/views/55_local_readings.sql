-- view: local_readings
-- description: Readings (one per device and ts) with their local time in the site's timezone
--   and the time since the device's previous reading (see live_local_readings): the rollup's
--   rows, then the live readings at or after their day's rollup partition's `built_until` (all
--   of a day without a partition), read as interval_slots reads its rollup.
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
SELECT site_id, device_id, ts, timezone, local_ts, local_day, energy_import_kwh,
       energy_export_kwh, power_w, voltage_v, current_a, power_factor, frequency_hz,
       since_previous_ms
FROM local_readings_closed
UNION ALL
SELECT l.site_id, l.device_id, l.ts, l.timezone, l.local_ts, l.local_day, l.energy_import_kwh,
       l.energy_export_kwh, l.power_w, l.voltage_v, l.current_a, l.power_factor, l.frequency_hz,
       l.since_previous_ms
FROM live_local_readings l
LEFT JOIN (
  -- Live rows lie on days from the earliest anchor on: older partitions need not be read.
  SELECT DISTINCT c.dt, c.built_until
  FROM local_readings_closed c
  JOIN (SELECT CAST(CAST(coalesce(min(ts), TIMESTAMP '1970-01-01 00:00:00.000') AS date) AS varchar) AS first_day FROM rollup_anchors) a
    ON c.dt >= a.first_day
) b
  ON b.dt = CAST(CAST(l.ts AS date) AS varchar)
WHERE b.built_until IS NULL OR l.ts >= b.built_until
