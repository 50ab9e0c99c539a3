-- view: interval_slots
-- description: Each reading interval's share of every 15-minute slot it overlaps, with the
--   slot's local calendar (see live_interval_slots for the rules): the rollup's rows, then the
--   live rows the rollup does not hold. A rollup partition (one UTC day of slots) holds the
--   intervals ending before the watermark it was built for (`built_until`), so a live row is
--   kept when its interval ends at or after that day's built_until, or the day has no partition.
--   The rollup is read without a join in front of it, so a query's filter on local_day or
--   site_id prunes its files and row groups.
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
SELECT site_id, device_id, timezone, interval_start, interval_end, interval_ms, slot_start,
       local_slot_start, local_day, local_month, local_hour, local_minute_of_day, local_weekday,
       overlap_ms, kwh
FROM interval_slots_closed
UNION ALL
SELECT l.site_id, l.device_id, l.timezone, l.interval_start, l.interval_end, l.interval_ms,
       l.slot_start, l.local_slot_start, l.local_day, l.local_month, l.local_hour,
       l.local_minute_of_day, l.local_weekday, l.overlap_ms, l.kwh
FROM live_interval_slots l
LEFT JOIN (
  -- Live rows lie on days from the earliest anchor on: older partitions need not be read.
  SELECT DISTINCT c.dt, c.built_until
  FROM interval_slots_closed c
  JOIN (SELECT CAST(CAST(coalesce(min(ts), TIMESTAMP '1970-01-01 00:00:00.000') AS date) AS varchar) AS first_day FROM rollup_anchors) a
    ON c.dt >= a.first_day
) b
  ON b.dt = CAST(CAST(l.slot_start AS date) AS varchar)
WHERE b.built_until IS NULL OR l.interval_end >= b.built_until
