-- view: live_intervals
-- description: Consecutive readings of each device in metering_input, ordered by ts (never by
--   arrival), as intervals (start_ts, end_ts] with their consumption: end_kwh - start_kwh, or
--   end_kwh when the register went backwards (reset or meter replacement: it restarted from
--   zero). Metering rules 2 and 3 (../shared/design/metering.md). The interval belongs to the
--   site of its end reading. Only intervals ending at or after the watermark: the rollup holds
--   the earlier ones.
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
SELECT site_id, device_id, start_ts, end_ts,
       date_diff('millisecond', start_ts, end_ts) AS duration_ms,
       start_kwh, end_kwh,
       end_kwh < start_kwh AS register_restarted,
       CASE WHEN end_kwh < start_kwh THEN end_kwh ELSE end_kwh - start_kwh END AS kwh
FROM (
  SELECT site_id, device_id, is_anchor,
         lag(ts) OVER (PARTITION BY device_id ORDER BY ts) AS start_ts,
         ts AS end_ts,
         lag(energy_import_kwh) OVER (PARTITION BY device_id ORDER BY ts) AS start_kwh,
         energy_import_kwh AS end_kwh
  FROM metering_input
) consecutive
WHERE start_ts IS NOT NULL AND NOT is_anchor
