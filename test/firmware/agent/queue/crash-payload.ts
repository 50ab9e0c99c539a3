// The payload the crash tests append for seq `id`: 8 readings that only this seq has.
export const crashPayload = (id: number): string => JSON.stringify({
  device_id: 'meter-0001', seq: id,
  readings: Array.from({ length: 8 }, (_, i) => ({ ts: Date.UTC(2026, 10, 1) + (id * 8 + i) * 1000, energy_import_kwh: (1_000_000 + id * 8 + i) / 1000, power_w: 812.5 })),
});
