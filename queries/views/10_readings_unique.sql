-- view: readings_unique
-- description: The readings table with duplicates removed: one row per (device_id, ts), the
--   first received (metering semantics rule 1). Every named query reads this, never `readings`.
-- dialect: Athena engine v3 (Trino); runs unchanged on DuckDB.
SELECT site_id, device_id, ts, energy_import_kwh, energy_export_kwh, power_w, voltage_v,
       current_a, power_factor, frequency_hz, seq, received_at, dt
FROM (
  SELECT r.*,
         row_number() OVER (PARTITION BY device_id, ts ORDER BY received_at, energy_import_kwh, site_id) AS copy_number
  FROM readings r
) numbered
WHERE copy_number = 1
