// Stable reason codes. Analysts filter `rejected_readings.reason` on these and alarms count them,
// so a code is never renamed; new ones may be added (docs/contracts.md lists them).

/** Why one reading was quarantined (it lands in `rejected_readings`). */
export const READING_REASONS = {
  ts_missing: 'the reading has no ts',
  ts_invalid: 'ts is neither an ISO-8601 date-time with offset nor integer epoch milliseconds',
  ts_in_future: 'ts is more than 5 minutes after the receive time',
  ts_too_old: 'ts is before 2000-01-01T00:00:00Z',
  energy_missing: 'energy_import_kwh is missing',
  energy_negative: 'an energy register is negative',
  energy_out_of_range: 'an energy register is above 1e12 kWh (storage is decimal(18,3))',
  field_type: 'a measured field is not a JSON number',
  not_finite: 'a measured field is not a finite number',
  voltage_out_of_range: 'voltage_v is outside 0-1000 V',
  current_negative: 'current_a is negative',
  power_factor_out_of_range: 'power_factor is outside -1..1',
  frequency_out_of_range: 'frequency_hz is outside 40-70 Hz',
  device_mismatch: "the envelope's device_id differs from the topic's device",
  seq_invalid: 'seq is not an integer >= 0',
  invalid_site_id: 'the site_id from the topic is not a valid ID',
  invalid_device_id: 'the device_id from the topic is not a valid ID',
  reading_not_object: 'an element of readings is not a JSON object',
  readings_not_array: 'readings is present but not an array',
} as const;

export type ReadingReason = keyof typeof READING_REASONS;

/** Why a whole record failed (Firehose `ProcessingFailed`, written to `errors/readings/`). */
export const RECORD_ERRORS = {
  not_json: 'the message is not valid UTF-8 JSON',
  not_object: 'the message is JSON but not an object',
  payload_too_large: 'the message is larger than 128 KiB',
  response_size_limit: "the transform's response would exceed Lambda's 6 MB limit; replay from errors/",
} as const;

export type RecordError = keyof typeof RECORD_ERRORS;
