// A store that fails at a chosen moment, as a process killed mid-way (mid-compaction) would.
import type { ObjectStore } from '../../pipeline/storage/object-store.ts';

export function failingStore(inner: ObjectStore, { putsBeforeFailure = Infinity, failDeletes = false }: { putsBeforeFailure?: number; failDeletes?: boolean }): ObjectStore {
  let puts = 0;
  return {
    put: async (key, body) => {
      if (puts++ >= putsBeforeFailure) throw new Error('simulated crash during put');
      await inner.put(key, body);
    },
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    delete: async (key) => {
      if (failDeletes) throw new Error('simulated crash before delete');
      await inner.delete(key);
    },
  };
}
