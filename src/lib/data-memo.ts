import { AsyncLocalStorage } from 'node:async_hooks';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db';

/**
 * The data versions read for the request being served (one per kind of data): a page calls the
 * memo a dozen times and reads each version once (`versionScope.run` wraps each request in app.ts).
 */
export const versionScope = new AsyncLocalStorage<Map<VersionReader, Promise<number>>>();
export type VersionReader = (db: Db) => Promise<number>;

/**
 * Per-process memo of data that only a write elsewhere changes, keyed by a version read from
 * the database (spending: the last import run's id; scores: a counter every recompute moves):
 * every instance sees the change on its next request, so several instances behind a balancer
 * stay correct without messaging. Values are promises, so concurrent requests share one query;
 * rejected ones are dropped. At most `maxEntries` are kept, least recently used dropped first.
 */
export function createDataMemo(db: Db, readVersion: VersionReader, maxEntries = 128) {
  let version: number | null = null;
  // Bounded: every sort order of every year and level would otherwise stay in memory.
  const newEntries = () => new LRUCache<string, Promise<unknown>>({ max: maxEntries });
  let entries = newEntries();
  // Requests that arrive while a version read is in flight share it (one query under load).
  let reading: Promise<number> | null = null;
  function current(): Promise<number> {
    reading ??= (async () => {
      try {
        return await readVersion(db);
      } finally {
        reading = null;
      }
    })();
    return reading;
  }
  const listeners: Array<() => void> = [];
  async function memo<T>(key: string, load: () => Promise<T>): Promise<T> {
    const scope = versionScope.getStore();
    let pending = scope?.get(readVersion);
    if (!pending) {
      pending = current();
      scope?.set(readVersion, pending);
    }
    const v = await pending;
    if (v !== version) {
      const moved = version !== null;
      version = v;
      entries = newEntries();
      // Precompute for the new version off this request (the first version is warmed at start).
      if (moved) for (const l of listeners) setImmediate(l);
    }
    let p = entries.get(key) as Promise<T> | undefined;
    if (!p) {
      const mine = entries; // a load begun under this version never lands in the next one's
      // A settled promise of the value, not what `load` returned: a knex query builder is a
      // thenable that runs its query again each time it is awaited.
      p = Promise.resolve(load());
      mine.set(key, p);
      p.catch(() => mine.peek(key) === p && mine.delete(key));
    }
    return p;
  }
  /** `listener` runs (off the request) each time a request sees the data version move. */
  return Object.assign(memo, { onNewVersion: (listener: () => void) => void listeners.push(listener) });
}
