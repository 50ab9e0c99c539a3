import { describe, expect, it } from 'vitest';
import { ConfigError, CONTEXT_KEYS, DEFAULT_CONFIG, loadConfig } from '../../../infra/aws/config.ts';

const context = (values: Record<string, unknown>) => (key: string): unknown => values[key];

describe('loadConfig', () => {
  it('uses the defaults when the context sets nothing, pinned to no account or region', () => {
    expect(loadConfig(context({}))).toEqual({ ...DEFAULT_CONFIG, account: undefined, region: undefined, quicksightPrincipalArn: undefined, alertEmail: undefined });
  });

  it('reads numbers given on the command line as strings (-c wattlake:bufferSizeMiB=128)', () => {
    expect(loadConfig(context({ [CONTEXT_KEYS.bufferSizeMiB]: '128', [CONTEXT_KEYS.stage]: 'prod' }))).toMatchObject({ bufferSizeMiB: 128, stage: 'prod' });
  });

  it('refuses a buffer below 64 MiB, which dynamic partitioning does not accept', () => {
    expect(() => loadConfig(context({ [CONTEXT_KEYS.bufferSizeMiB]: 5 }))).toThrow(/wattlake:bufferSizeMiB must be an integer from 64 to 128, got 5/);
  });

  it('names every invalid key at once', () => {
    const error = (() => {
      try {
        loadConfig(context({ [CONTEXT_KEYS.stage]: 'Prod_1', [CONTEXT_KEYS.logRetentionDays]: 10, [CONTEXT_KEYS.alertEmail]: 'ops' }));
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/wattlake:stage must be lowercase/);
    expect(error.message).toMatch(/wattlake:logRetentionDays must be one of CloudWatch's values/);
    expect(error.message).toMatch(/wattlake:alertEmail must be an e-mail address/);
  });

  it('accepts an account and region to pin the stack, and refuses a malformed account', () => {
    expect(loadConfig(context({ [CONTEXT_KEYS.account]: '123456789012', [CONTEXT_KEYS.region]: 'eu-north-1' }))).toMatchObject({ account: '123456789012', region: 'eu-north-1' });
    expect(() => loadConfig(context({ [CONTEXT_KEYS.account]: '1234' }))).toThrow(/12-digit account ID/);
  });

  it('refuses a scan cutoff below Athena\'s 10 MB minimum', () => {
    expect(() => loadConfig(context({ [CONTEXT_KEYS.bytesScannedCutoff]: 1_000_000 }))).toThrow(/wattlake:bytesScannedCutoff/);
  });
});
