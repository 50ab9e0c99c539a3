-- view: live_interval_slots
-- description: Each reading interval's share of every 15-minute slot it overlaps, in proportion
--   to time (metering rule 4), with the slot's local calendar in the site's timezone (rule 5;
--   UTC for a site missing from `sites`). Every UTC offset in the tz database is a multiple of
--   15 minutes, so UTC 15-minute slots are local 15-minute slots, and local hours, days, months
--   and tariff bands (edges on 15-minute boundaries) are unions of them. Local labels come from
--   converting each slot's UTC start with the timezone: a spring-forward day has 92 slots
--   (23 h), a fall-back day 100 (25 h). kWh of all slots of an interval add up to the interval's
--   kWh, so energy is conserved. Intervals are expanded day by day, then slot by slot, so that no
--   sequence() exceeds Trino's 10,000 elements even for a gap of months. Of live_intervals only:
--   interval_slots adds the rollup's closed ones.
-- dialect: Athena engine v3 (Trino); DuckDB through pipeline/query/trino-compat.ts.
WITH intervals AS (
  SELECT i.site_id, i.device_id, coalesce(s.timezone, 'UTC') AS timezone,
         i.start_ts, i.end_ts, i.duration_ms, CAST(i.kwh AS double) AS interval_kwh,
         date_trunc('hour', i.start_ts) + (minute(i.start_ts) - minute(i.start_ts) % 15) * INTERVAL '1' MINUTE AS first_slot,
         date_trunc('hour', i.end_ts) + (minute(i.end_ts) - minute(i.end_ts) % 15) * INTERVAL '1' MINUTE AS last_slot
  FROM live_intervals i
  LEFT JOIN sites s ON s.site_id = i.site_id
),
slots AS (
  SELECT n.site_id, n.device_id, n.timezone, n.start_ts, n.end_ts, n.duration_ms, n.interval_kwh,
         q.slot_start,
         date_diff('millisecond',
                   greatest(n.start_ts, q.slot_start),
                   least(n.end_ts, q.slot_start + INTERVAL '15' MINUTE)) AS overlap_ms
  FROM intervals n
  CROSS JOIN UNNEST(sequence(CAST(n.first_slot AS date), CAST(n.last_slot AS date), INTERVAL '1' DAY)) AS d (utc_day)
  CROSS JOIN UNNEST(sequence(
      greatest(n.first_slot, CAST(d.utc_day AS timestamp)),
      least(n.last_slot, CAST(d.utc_day AS timestamp) + INTERVAL '1425' MINUTE),
      INTERVAL '15' MINUTE)) AS q (slot_start)
),
-- Local labels once per (timezone, slot), not per interval: a time zone conversion costs far
-- more than the join (DuckDB: about 3 us per row when the zone varies by row).
slot_labels AS (
  SELECT timezone, slot_start,
         CAST(at_timezone(with_timezone(slot_start, 'UTC'), timezone) AS timestamp(3)) AS local_slot_start
  FROM (SELECT DISTINCT timezone, slot_start FROM slots) zone_slots
),
localized AS (
  SELECT s.site_id, s.device_id, s.timezone, s.start_ts, s.end_ts, s.duration_ms, s.interval_kwh, s.slot_start, s.overlap_ms,
         l.local_slot_start
  FROM slots s
  JOIN slot_labels l ON l.timezone = s.timezone AND l.slot_start = s.slot_start
  -- An interval ending exactly on a slot boundary touches the next slot for 0 ms.
  WHERE s.overlap_ms > 0
)
SELECT site_id, device_id, timezone,
       start_ts AS interval_start, end_ts AS interval_end, duration_ms AS interval_ms,
       CAST(slot_start AS timestamp(3)) AS slot_start, local_slot_start,
       CAST(local_slot_start AS date) AS local_day,
       CAST(date_trunc('month', local_slot_start) AS date) AS local_month,
       hour(local_slot_start) AS local_hour,
       hour(local_slot_start) * 60 + minute(local_slot_start) AS local_minute_of_day,
       day_of_week(local_slot_start) AS local_weekday,
       overlap_ms,
       interval_kwh * overlap_ms / duration_ms AS kwh
FROM localized
