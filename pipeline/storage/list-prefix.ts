// `list` takes a key prefix rather than a key: a folder (`raw/readings/`), a partial name
// (`raw/readings/dt=2026-11-2`) or '' for the whole lake. Stores check it like a key so
// that a prefix can never name anything outside the lake either.
import { assertSafeKey } from './keys.ts';

/** Throws `InvalidKeyError` unless `prefix` is '' or the start of some safe key. */
export function assertSafePrefix(prefix: string): void {
  if (prefix === '') return;
  // Any non-empty start of a safe segment is itself a safe segment, so a prefix is safe
  // exactly when it is a safe key once a trailing folder `/` is dropped.
  assertSafeKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix);
}
