// The thing registry: IoT Core's registry and certificate status in one JSON file under
// `.wattlake/`. Each thing records its site (from which the broker derives its topics) and
// the fingerprint of the one certificate it may connect with.
import { readFile, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../../../pipeline/storage/durable-file.ts';

export interface Thing {
  device_id: string;
  site_id: string;
  state: 'active' | 'revoked';
  /** SHA-256 of the certificate's DER bytes, lowercase hex (see pki.ts `fingerprint`). */
  certificate_fingerprint: string;
  created_at: string;
  revoked_at?: string;
}

type Things = Map<string, Thing>;

export async function readThings(file: string): Promise<Things> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw error;
  }
  const parsed = JSON.parse(text) as { version?: unknown; things?: unknown };
  if (parsed.version !== 1 || typeof parsed.things !== 'object' || parsed.things === null) {
    throw new Error(`${file} is not a wattlake registry (version 1)`);
  }
  // A Map, not the parsed object: a device named "constructor" must not find Object.prototype's.
  return new Map(Object.entries(parsed.things as Record<string, Thing>));
}

export async function listThings(file: string): Promise<Thing[]> {
  return [...(await readThings(file)).values()].sort((a, b) => a.device_id.localeCompare(b.device_id));
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Read-modify-write of the registry, serialized per file within this process and written
 * atomically. `change` may be async (issuing a certificate) and returns the caller's result.
 * Not locked across processes: run one `devices add` at a time per state folder.
 */
export function updateRegistry<T>(file: string, change: (things: Things) => Promise<T> | T): Promise<T> {
  const run = async (): Promise<T> => {
    const things = await readThings(file);
    const result = await change(things);
    const sorted = Object.fromEntries([...things].sort(([a], [b]) => a.localeCompare(b)));
    await writeFileAtomic(file, `${JSON.stringify({ version: 1, things: sorted }, null, 2)}\n`);
    return result;
  };
  const next = (queues.get(file) ?? Promise.resolve()).then(run, run);
  queues.set(file, next.catch(() => undefined));
  return next;
}

/** Marks a thing revoked: the broker refuses its certificate from the next CONNECT on. */
export function revokeThing(file: string, deviceId: string, now = new Date()): Promise<Thing> {
  return updateRegistry(file, (things) => {
    const thing = things.get(deviceId);
    if (!thing) throw new Error(`no thing named ${JSON.stringify(deviceId)} in the registry`);
    if (thing.state === 'revoked') return thing;
    const revoked: Thing = { ...thing, state: 'revoked', revoked_at: now.toISOString() };
    things.set(deviceId, revoked);
    return revoked;
  });
}

/**
 * A lookup for the broker: re-reads the file only when it changed, so a `devices add` or
 * `devices revoke` run in another process takes effect at the next CONNECT.
 */
export function registryReader(file: string): (deviceId: string) => Promise<Thing | undefined> {
  let cached: { version: string; things: Things } | undefined;
  return async (deviceId) => {
    const info = await stat(file).catch(() => null);
    const version = info ? `${info.ino}:${info.size}:${info.mtimeMs}` : 'missing';
    if (cached?.version !== version) cached = { version, things: await readThings(file) };
    return cached.things.get(deviceId);
  };
}
