import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '../../../../infra/aws/handlers/transform.ts';
import { captureOutput, context, firehoseEvent, meterReadings, ruleOutput } from './events.ts';

let stdout: ReturnType<typeof captureOutput> | undefined;
afterEach(() => stdout?.restore());

describe('transform Lambda shell', () => {
  it('answers Firehose with one result per record: Ok with the dt partition key, ProcessingFailed for a non-JSON record', async () => {
    stdout = captureOutput();
    const event = firehoseEvent([ruleOutput('meter-0001', meterReadings(1520.25)), '{"readings": [', ruleOutput('meter-0002', [{ ts: '2026-03-01T10:14:00Z', energy_import_kwh: -1 }])]);
    const response = await handler(event, context('wattlake-dev-transform'));
    stdout.restore();

    expect(response.records.map((r) => [r.recordId, r.result])).toEqual(event.records.map((r, i) => [r.recordId, i === 1 ? 'ProcessingFailed' : 'Ok']));
    expect(response.records[0]!.metadata).toEqual({ partitionKeys: { dt: '2026-03-01' } });
    const lines = Buffer.from(response.records[0]!.data ?? '', 'base64').toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ site_id: 'site-stockholm-01', device_id: 'meter-0001', energy_import_kwh: 1520.25 });
    // The failed record is returned as it came, for Firehose's error output.
    expect(response.records[1]!.data).toBe(event.records[1]!.data);
  });

  it('publishes accepted and rejected reading counts as EMF metrics, and logs failures without payloads', async () => {
    stdout = captureOutput();
    await handler(firehoseEvent([ruleOutput('meter-0001', meterReadings(10)), 'not json', ruleOutput('meter-0002', [{ ts: '2026-03-01T10:14:00Z', energy_import_kwh: -1 }])]), context('wattlake-dev-transform'));
    stdout.restore();
    const lines = stdout.lines();
    const emf = lines.find((l) => '_aws' in l);
    expect(emf).toMatchObject({ service: 'wattlake-transform', Records: 3, FailedRecords: 1, AcceptedReadings: 3, RejectedReadings: 1 });
    const failure = lines.find((l) => l.message === 'record failed');
    expect(failure).toMatchObject({ level: 'WARN', error: 'not_json' });
    expect(JSON.stringify(failure)).not.toContain('not json');
  });
});
