-- view: live_local_readings
-- description: The readings of metering_input (anchors only give the time since the previous
--   reading) with each reading's local time in its site's timezone (UTC for a site missing from
--   `sites`) and the time since the device's previous reading (NULL for its first). Local time
--   is the UTC instant converted with the timezone, so daylight saving applies (metering rule 5).
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
WITH readings_in_zone AS (
  SELECT r.site_id, r.device_id, r.ts, coalesce(s.timezone, 'UTC') AS timezone,
         date_trunc('hour', r.ts) + (minute(r.ts) - minute(r.ts) % 15) * INTERVAL '1' MINUTE AS slot_start,
         r.energy_import_kwh, r.energy_export_kwh, r.power_w, r.voltage_v, r.current_a,
         r.power_factor, r.frequency_hz,
         date_diff('millisecond', lag(r.ts) OVER (PARTITION BY r.device_id ORDER BY r.ts), r.ts) AS since_previous_ms,
         r.is_anchor
  FROM metering_input r
  LEFT JOIN sites s ON s.site_id = r.site_id
),
-- The UTC offset once per (timezone, 15-minute slot), not per reading: a time zone conversion
-- costs far more than the join. Every offset in the tz database since 1970-ish is a multiple of
-- 15 minutes and changes on a 15-minute UTC boundary, so it is constant within a slot.
slot_offsets AS (
  SELECT timezone, slot_start,
         CAST(at_timezone(with_timezone(slot_start, 'UTC'), timezone) AS timestamp(3)) - slot_start AS utc_offset
  FROM (SELECT DISTINCT timezone, slot_start FROM readings_in_zone) zone_slots
),
localized AS (
  SELECT r.site_id, r.device_id, r.ts, r.timezone, CAST(r.ts + o.utc_offset AS timestamp(3)) AS local_ts,
         r.energy_import_kwh, r.energy_export_kwh, r.power_w, r.voltage_v, r.current_a,
         r.power_factor, r.frequency_hz, r.since_previous_ms
  FROM readings_in_zone r
  JOIN slot_offsets o ON o.timezone = r.timezone AND o.slot_start = r.slot_start
  WHERE NOT r.is_anchor
)
SELECT site_id, device_id, ts, timezone, local_ts, CAST(local_ts AS date) AS local_day,
       energy_import_kwh, energy_export_kwh, power_w, voltage_v, current_a, power_factor,
       frequency_hz, since_previous_ms
FROM localized
