import { describe, expect, it } from 'vitest';
import { InvalidKeyError } from '../../../pipeline/storage/keys.ts';
import { assertSafePrefix } from '../../../pipeline/storage/list-prefix.ts';

describe('assertSafePrefix', () => {
  it.each(['', 'raw/', 'raw/readings/', 'raw/readings/dt=2026-11-2', 'raw/readings/dt=2026-11-21/x.gz'])('accepts %j', (prefix) => {
    expect(() => assertSafePrefix(prefix)).not.toThrow();
  });

  it.each(['/', '../', '..', '/raw/', 'raw//', 'raw/.', 'raw/../', 'raw/\0', 'raw/é'])('rejects %j', (prefix) => {
    expect(() => assertSafePrefix(prefix)).toThrow(InvalidKeyError);
  });
});
