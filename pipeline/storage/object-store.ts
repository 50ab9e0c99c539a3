// The lake's storage interface: S3 in AWS, a folder in the local twin. Pipeline code only ever
// sees this interface and keys built by `keys.ts`.

export interface ObjectStore {
  /** Write an object whole; readers never see a partial object. Overwrites an existing key. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Read an object whole; rejects with `ObjectNotFoundError` when it does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Keys under a prefix (a "folder" ending in `/`, or any key prefix), sorted, recursively. */
  list(prefix: string): Promise<string[]>;
  /** Delete an object; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

export class ObjectNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`object not found: ${key}`);
    this.name = 'ObjectNotFoundError';
  }
}
