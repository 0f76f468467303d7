/**
 * Groups snapshot writes: every transition marks its item dirty, and one store transaction (at most
 * one per `intervalMs`) writes the latest snapshot of each dirty item. Re-running an unacknowledged
 * call after a crash is safe by design (XState re-runs a restored pending call), so a transition may reach the disk a few
 * milliseconds later; a final state is always written before anyone is told the item is done
 * (`persisted(id)`).
 */
import type { ItemUpdate, SnapshotStore } from './store/contract.js';
import { defined } from '../_internals/index.js';

export interface SnapshotWriter {
  /** Notes that `id` changed; its latest state is read when the next batch is written. */
  markDirty(id: string): void;
  /** Resolves once the state `id` has now is on disk. */
  persisted(id: string): Promise<void>;
  /** Writes everything dirty now; rejects with the store's error once a batch failed for good. */
  flush(): Promise<void>;
  /** How many snapshot writes reached the store. */
  readonly written: number;
}

export interface SnapshotWriterOptions {
  store: SnapshotStore;
  jobId: string;
  owner: string;
  /** The update to write for an item, read at write time; `null` when the item is gone. */
  read: (id: string) => ItemUpdate | null;
  /** Called with the ids a write found leased by another worker: they are no longer this worker's. */
  onLost?: (ids: string[]) => void;
  /**
   * Called when a batch could not be written after retries; the items stay dirty and the writer
   * stops writing (a full disk or a read-only file does not heal itself: the run ends with it).
   */
  onError: (error: unknown) => void;
  /**
   * Most items written in one transaction.
   * @default 1000
   */
  maxBatch?: number;
  /**
   * Least time between the starts of two batches. Transitions in between are gathered into one
   * transaction, and an item that moved several times is written once.
   * @default 20
   */
  intervalMs?: number;
}

/**
 * The defaults of the writer's batching.
 *
 * @example
 * createSnapshotWriter({ store, jobId, owner, read, onError, intervalMs: defaultSnapshotWriterOptions.intervalMs * 2 });
 */
export const defaultSnapshotWriterOptions: Readonly<Required<Pick<SnapshotWriterOptions, 'maxBatch' | 'intervalMs'>>> = {
  maxBatch: 1000,
  intervalMs: 20,
};

const RETRIES = [100, 400, 1600];

/**
 * @example
 * ```ts
 * const writer = createSnapshotWriter({ store, jobId, owner, read: (id) => updateOf(id), onError: console.error });
 * writer.markDirty('cust-1');
 * await writer.persisted('cust-1');
 * ```
 */
export function createSnapshotWriter(options: SnapshotWriterOptions): SnapshotWriter {
  const { store, jobId, owner, read, onError } = options;
  const { maxBatch, intervalMs } = { ...defaultSnapshotWriterOptions, ...defined(options) };
  const dirty = new Set<string>();
  const waiting = new Map<string, Array<() => void>>();
  let running: Promise<void> | null = null;
  let scheduled = false;
  let written = 0;
  let lastStart = Number.NEGATIVE_INFINITY;
  // Once a batch fails after its retries, nothing more is tried: before, flush() tried the same
  // batch again for ever on a full disk, and the run (and SIGTERM) never ended.
  let broken: { error: unknown } | null = null;

  async function writeBatch(ids: string[]): Promise<void> {
    // Taken before the states are read: a waiter that arrives during the write waits for the next batch.
    const taken = new Map<string, Array<() => void>>();
    for (const id of ids) {
      const list = waiting.get(id);
      if (list) taken.set(id, list);
      waiting.delete(id);
    }
    const updates: ItemUpdate[] = [];
    for (const id of ids) {
      const update = read(id);
      if (update) updates.push(update);
    }
    for (let attempt = 0; ; attempt += 1) {
      try {
        if (updates.length > 0) {
          const saved = await store.saveItems(jobId, owner, updates);
          written += saved.length;
          if (saved.length < updates.length && options.onLost) {
            const kept = new Set(saved);
            options.onLost(updates.filter((update) => !kept.has(update.id)).map((update) => update.id));
          }
        }
        break;
      } catch (error) {
        const delay = RETRIES[attempt];
        if (delay === undefined) {
          for (const [id, list] of taken) waiting.set(id, [...list, ...(waiting.get(id) ?? [])]);
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    for (const list of taken.values()) for (const resolve of list) resolve();
  }

  async function drain(): Promise<void> {
    while (dirty.size > 0) {
      const ids: string[] = [];
      for (const id of dirty) {
        ids.push(id);
        dirty.delete(id);
        if (ids.length >= maxBatch) break;
      }
      try {
        await writeBatch(ids);
      } catch (error) {
        for (const id of ids) dirty.add(id);
        broken ??= { error };
        onError(error);
        return;
      }
    }
  }

  function start(): Promise<void> {
    if (!running) {
      lastStart = performance.now();
      running = drain().finally(() => {
        running = null;
        if (dirty.size > 0 && !broken) schedule();
      });
    }
    return running;
  }

  function schedule(): void {
    if (scheduled || broken) return;
    scheduled = true;
    const fire = (): void => {
      scheduled = false;
      void start();
    };
    // One batch per tick cost a transaction for every one or two transitions (at 256 items at once,
    // a sixth of the job's CPU): a batch waits until `intervalMs` after the previous one started.
    const wait = lastStart + intervalMs - performance.now();
    if (wait > 0) setTimeout(fire, wait);
    else setImmediate(fire);
  }

  return {
    markDirty(id) {
      dirty.add(id);
      schedule();
    },
    persisted(id) {
      dirty.add(id);
      return new Promise<void>((resolve) => {
        const list = waiting.get(id) ?? [];
        list.push(resolve);
        waiting.set(id, list);
        schedule();
      });
    },
    async flush() {
      const failed = () => broken;
      while ((dirty.size > 0 || running) && !failed()) {
        await (running ?? start());
      }
      if (broken) throw broken.error;
    },
    get written() {
      return written;
    },
  };
}
