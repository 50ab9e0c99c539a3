-- view: metering_input
-- description: The readings the live views (live_*) compute from: readings_unique from the
--   rollup's watermark `closed_until` on, plus each device's last reading before it
--   (`is_anchor`), which only starts the device's first live interval. Before the watermark,
--   compaction has materialized what the live views would compute (the *_closed tables), so a
--   query never recomputes the closed past; before the first compaction the watermark is 1970
--   and everything is live. Deduplicated exactly as readings_unique, but with the watermark
--   applied before the window, so the window only sees live rows.
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
WITH watermark AS (
  SELECT coalesce(max(closed_until), TIMESTAMP '1970-01-01 00:00:00.000') AS closed_until
  FROM rollup_anchors
)
SELECT site_id, device_id, ts, energy_import_kwh, energy_export_kwh, power_w, voltage_v,
       current_a, power_factor, frequency_hz, false AS is_anchor
FROM (
  SELECT r.*,
         -- The same survivor as readings_unique.
         row_number() OVER (PARTITION BY r.device_id, r.ts ORDER BY r.received_at, r.energy_import_kwh, r.site_id) AS copy_number
  FROM readings r
  JOIN watermark w
    ON r.ts >= w.closed_until
   AND r.dt >= CAST(CAST(w.closed_until AS date) AS varchar)
) numbered
WHERE copy_number = 1
UNION ALL
SELECT site_id, device_id, ts, energy_import_kwh,
       CAST(NULL AS decimal(18,3)), CAST(NULL AS double), CAST(NULL AS double), CAST(NULL AS double),
       CAST(NULL AS double), CAST(NULL AS double), true AS is_anchor
FROM rollup_anchors
