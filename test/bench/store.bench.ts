/**
 * How many snapshots per second the SQLite store persists, in batches of 500 (~2 KB each, the size
 * of a member-creating item's persisted XState snapshot), against a baseline measured in the same
 * run: plain better-sqlite3 writing the same objects' JSON to a two-column table in one transaction
 * per batch, with the same pragmas. The ratio is what the store's bookkeeping (lease check, state,
 * due time, updated time, the ids it reports back) costs.
 *
 * Runs under the bench runner (`npm run bench`), or alone: `node --import tsx test/bench/store.bench.ts`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Database from 'better-sqlite3';
import type { ItemUpdate } from '../../src/durable/store/contract.js';
import { createSqliteStore } from '../../src/durable/store/index.js';
import type { Row } from './run.js';


const ITEMS = 10_000;
const BATCH = 500;
const ROUNDS = 5;
const TARGET = 20_000;

/** A persisted snapshot shaped like the member machine's: nested state, context, a child's input, an error record. */
function snapshotFor(id: string, round: number): unknown {
  return {
    status: 'active',
    value: { member: { polling: 'waiting' } },
    historyValue: {},
    context: {
      customerId: id,
      userGuid: `USR-${id.padStart(36, '0')}`,
      round,
      members: Array.from({ length: 3 }, (_, m) => ({
        id: `${id}-m${m}`,
        institutionCode: 'mxbank',
        memberGuid: `MBR-${id}-${m}`.padEnd(40, 'x'),
        connectionStatus: m === 0 ? 'CONNECTED' : 'UPDATED',
        attempts: m + round,
        retryAt: 1_718_000_000_000 + m * 3_000,
      })),
      lastError: {
        kind: 'rate_limited', status: 429, retryable: true, scope: 'job', dialect: 'mx-sso', retryAfterMs: 1_000,
        exchange: {
          request: { method: 'POST', path: `/users/USR-${id}/members` },
          response: { status: 429, bodyExcerpt: '{"error":{"message":"Too many requests. Please retry later."}}'.repeat(14) },
        },
      },
    },
    children: {
      sleepUntil: { src: 'sleepUntil', syncSnapshot: false, snapshot: { status: 'active', input: { until: 1_718_000_003_000 } } },
    },
  };
}

/** `global.gc` when node runs with --expose-gc (as `npm run bench` does), else one obtained through V8's flags. */
const collectGarbage: () => void = (() => {
  if (typeof globalThis.gc === 'function') return globalThis.gc;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const median = (values: readonly number[]): number => {
  const sorted = values.toSorted((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/** Writes per second of wall time, and per second of this process's CPU time (steadier on a shared machine). */
interface Rate { wall: number; cpu: number }

function timer(): () => { seconds: number; cpuSeconds: number } {
  const started = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - started) / 1_000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

/** Something that persists one round of updates and says how many it wrote. */
type Writer = { write(round: readonly ItemUpdate[]): Promise<number>; close(): Promise<void> };

async function storeWriter(path: string): Promise<Writer> {
  const store = createSqliteStore({ path });
  const jobId = 'bench';
  await store.ensureJob(jobId, 'onboard');
  for (let i = 0; i < ITEMS; i += BATCH) {
    await store.addItems(jobId, Array.from({ length: BATCH }, (_, k) => ({ id: `c${i + k}`, input: { id: `c${i + k}` } })));
  }
  await store.claimItems(jobId, { owner: 'bench', limit: ITEMS, leaseMs: 3_600_000 });
  return {
    async write(round) {
      let written = 0;
      for (let i = 0; i < round.length; i += BATCH) {
        written += (await store.saveItems(jobId, 'bench', round.slice(i, i + BATCH))).length;
      }
      return written;
    },
    close: () => store.close(),
  };
}

async function rawWriter(path: string): Promise<Writer> {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -32768');
  db.exec('CREATE TABLE raw (id TEXT PRIMARY KEY, body TEXT)');
  const insert = db.prepare('INSERT INTO raw (id, body) VALUES (?, NULL)');
  db.transaction(() => {
    for (let i = 0; i < ITEMS; i += 1) insert.run(`c${i}`);
  })();
  const update = db.prepare('UPDATE raw SET body = ? WHERE id = ?');
  const writeBatch = db.transaction((batch: readonly ItemUpdate[]) => {
    for (const u of batch) update.run(JSON.stringify(u.snapshot), u.id);
  });
  return {
    async write(round) {
      for (let i = 0; i < round.length; i += BATCH) writeBatch(round.slice(i, i + BATCH));
      return round.length;
    },
    close: async () => {
      db.close();
    },
  };
}

async function measure(writer: Writer, round: readonly ItemUpdate[]): Promise<Rate> {
  const stop = timer();
  const written = await writer.write(round);
  const { seconds, cpuSeconds } = stop();
  if (written !== round.length) throw new Error(`wrote ${written} of ${round.length} snapshots`);
  return { wall: written / seconds, cpu: written / cpuSeconds };
}

/**
 * Round `r`'s updates: a fresh snapshot for every item, and for one in ten a change of its coarse
 * state (active <-> halted); most transitions of a live item keep it `active`.
 */
function roundOf(r: number, withStep = false): ItemUpdate[] {
  return Array.from({ length: ITEMS }, (_, i): ItemUpdate => ({
    // A step as the runtime records one per transition: a state entered, with the request behind it.
    ...(withStep ? { history: { keep: 200, steps: [{
      at: 1_718_000_000_000 + r * 1_000, machine: 'member', actor: `c${i}-m0`, state: 'polling.waitingToPoll', event: 'xstate.done.actor.readMemberStatus',
      requests: [{ method: 'GET', path: '/users/{user_guid}/members/{member_guid}/status', status: 200, ms: 41 }], connectionStatus: 'UPDATED',
    }] } } : {}),
    id: `c${i}`,
    // One item in 20 is halted each round, a different one each time: one in ten changes state.
    state: (i + r) % 20 === 0 ? 'halted' : 'active',
    snapshot: snapshotFor(`c${i}`, r),
    dueAt: 1_718_000_003_000 + i,
  }));
}

async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mx-store-bench-'));
  const writers = {
    store: await storeWriter(join(dir, 'store.sqlite')), raw: await rawWriter(join(dir, 'raw.sqlite')), history: await storeWriter(join(dir, 'history.sqlite')),
  };
  try {
    const store: Rate[] = [];
    const raw: Rate[] = [];
    const history: Rate[] = [];
    let bytes = 0;
    // Round 0 warms up (and brings every item from pending to active); each later round is measured.
    // The two alternate, so a noisy neighbour on the machine slows both rather than one.
    // Each writer gets its own copy of the round, collected into the old generation first: otherwise
    // whichever ran first would pay for the young objects' garbage collection.
    for (let r = 0; r <= ROUNDS; r += 1) {
      const storeRound = roundOf(r);
      bytes = Buffer.byteLength(JSON.stringify(storeRound[0]!.snapshot));
      collectGarbage();
      const storeRate = await measure(writers.store, storeRound);
      const rawRound = roundOf(r);
      collectGarbage();
      const rawRate = await measure(writers.raw, rawRound);
      const historyRound = roundOf(r, true);
      collectGarbage();
      const historyRate = await measure(writers.history, historyRound);
      if (r > 0) {
        store.push(storeRate);
        raw.push(rawRate);
        history.push(historyRate);
      }
    }
    const row = (metric: string, pick: (rate: Rate) => number, unit: string, withTarget: boolean): Row => {
      const value = Math.round(median(store.map(pick)));
      const baseline = Math.round(median(raw.map(pick)));
      return {
        scenario: 'sqlite store',
        metric: `${metric} (batches of ${BATCH}, ${bytes} B each, median of ${ROUNDS})`,
        value,
        baseline,
        ratio: Number((value / baseline).toFixed(2)),
        unit,
        ...(withTarget ? { target: `>= ${TARGET}`, met: value >= TARGET } : {}),
      };
    };
    // The history's cost: the same saves, each with one step, against the store's own saves.
    const withHistory = Math.round(median(history.map((rate) => rate.cpu)));
    const plain = Math.round(median(store.map((rate) => rate.cpu)));
    return [
      row('snapshot writes/s', (rate) => rate.wall, 'writes/s', true),
      row('snapshot writes per CPU-second', (rate) => rate.cpu, 'writes/cpu-s', false),
      {
        scenario: 'sqlite store', metric: `snapshot writes per CPU-second with one history step each (baseline: without, median of ${ROUNDS})`,
        value: withHistory, baseline: plain, ratio: Number((withHistory / plain).toFixed(2)), unit: 'writes/cpu-s',
      },
    ];
  } finally {
    await writers.store.close();
    await writers.raw.close();
    await writers.history.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default { name: 'store', run };

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}
