-- view: local_readings
-- description: readings_unique with each reading's local time in its site's timezone (UTC for a
--   site missing from `sites`) and the time since the device's previous reading (NULL for its
--   first). Local time is the UTC instant converted with the timezone, so daylight saving
--   applies (metering rule 5).
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
SELECT site_id, device_id, ts, timezone, local_ts, CAST(local_ts AS date) AS local_day,
       energy_import_kwh, energy_export_kwh, power_w, voltage_v, current_a, power_factor,
       frequency_hz, since_previous_ms
FROM (
  SELECT r.site_id, r.device_id, r.ts, coalesce(s.timezone, 'UTC') AS timezone,
         CAST(at_timezone(with_timezone(r.ts, 'UTC'), coalesce(s.timezone, 'UTC')) AS timestamp(3)) AS local_ts,
         r.energy_import_kwh, r.energy_export_kwh, r.power_w, r.voltage_v, r.current_a,
         r.power_factor, r.frequency_hz,
         date_diff('millisecond', lag(r.ts) OVER (PARTITION BY r.device_id ORDER BY r.ts), r.ts) AS since_previous_ms
  FROM readings_unique r
  LEFT JOIN sites s ON s.site_id = r.site_id
) localized
