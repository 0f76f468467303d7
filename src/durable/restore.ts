/**
 * Taking a stored item up again: its snapshot migrated from the machines version that wrote it to
 * this release's, then restored into an actor; or, when that cannot be done, the `unreadable_row`
 * error that sets the customer apart as failed. A release that renamed a state, a column that is
 * not JSON, an input or snapshot of the wrong shape: each is that customer's failure, never the
 * job's (XState v5 restores a snapshot only into a machine that has its states).
 */
import { defined } from '../_internals/index.js';
import { createActor, type Actor, type AnyStateMachine, type InspectionEvent } from 'xstate';
import { migrateSnapshot, type MachineVersions } from '../../machines/index.js';
import { makeApiError } from '../errors/index.js';
import type { ApiErrorOf, UnreadableCause, UnreadableColumn } from '../errors/index.js';
import type { StoredItem } from './store/contract.js';

export type UnreadableRowError = ApiErrorOf<'unreadable_row'>;

export type RestoreResult =
  | { ok: true; actor: Actor<AnyStateMachine>; snapshot: unknown | null }
  | { ok: false; error: UnreadableRowError };

export interface RestoreOptions {
  machine: AnyStateMachine;
  versions: MachineVersions;
  inspect?: (event: InspectionEvent) => void;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The error that sets a stored row apart.
 *
 * @example
 * ```ts
 * unreadableRow('snapshot', 'bad_json', 'Unexpected end of JSON input', 1).kind; // 'unreadable_row'
 * ```
 */
export function unreadableRow(column: UnreadableColumn, cause: UnreadableCause, message: string, machinesVersion?: number): UnreadableRowError {
  return makeApiError('unreadable_row', {
    column, cause, message: message.slice(0, 300), ...defined({ machinesVersion }),
  }) as UnreadableRowError;
}

/** The first error an actor (or any actor restored beneath it) was created in, as XState reports a failed restore. */
function creationError(actor: { getSnapshot(): unknown }): unknown {
  const snapshot = actor.getSnapshot() as { status?: string; error?: unknown; children?: Record<string, unknown> };
  if (snapshot.status === 'error') return snapshot.error ?? new Error('the actor could not be created');
  for (const child of Object.values(snapshot.children ?? {})) {
    if (child && typeof (child as { getSnapshot?: unknown }).getSnapshot === 'function') {
      const found = creationError(child as { getSnapshot(): unknown });
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

/**
 * An actor for a stored item, not started yet: fresh from its input, or restored from its
 * snapshot after the migrations from the version that wrote it. Or the `unreadable_row` error
 * that names why it cannot be: `bad_json` (a column is not JSON), `bad_shape` (the input or
 * snapshot is not what the machine reads), `unknown_state` (the snapshot names a state this
 * release's machines do not have) or `newer_machines`.
 *
 * @example
 * ```ts
 * const restored = restoreItem(stored, { machine: program.machine, versions: program.versions, inspect });
 * if (restored.ok) restored.actor.start();
 * else await store.saveItems(jobId, owner, [{ id: stored.id, state: 'failed', dueAt: null, outcome: { outcome: 'failed', error: restored.error } }]);
 * ```
 */
export function restoreItem(stored: StoredItem, options: RestoreOptions): RestoreResult {
  const version = stored.machineVersion ?? undefined;
  if (stored.unreadable) {
    const { column, message } = stored.unreadable;
    return { ok: false, error: unreadableRow(column, 'bad_json', `the stored ${column} is not JSON: ${message}`, version) };
  }
  if (!isObject(stored.input)) {
    return { ok: false, error: unreadableRow('input', 'bad_shape', `the stored input is ${stored.input === null ? 'missing' : 'not an object'}`) };
  }
  let snapshot: unknown | null = null;
  if (stored.snapshot !== null) {
    const migrated = migrateSnapshot(stored.snapshot, stored.machineVersion, options.versions);
    if (!migrated.ok) return { ok: false, error: unreadableRow('snapshot', migrated.cause, migrated.message, migrated.from) };
    snapshot = migrated.snapshot;
  }
  const inspect = options.inspect ? { inspect: options.inspect } : {};
  // XState reports a snapshot it cannot restore (or an input its context cannot be made from) as
  // an actor created in the `error` status, its own or a restored child's; started, it would fail
  // the whole run.
  const actor = snapshot !== null
    ? createActor(options.machine, { snapshot: snapshot as never, input: stored.input as never, ...inspect })
    : createActor(options.machine, { input: stored.input as never, ...inspect });
  const error = creationError(actor);
  if (error === undefined) return { ok: true, actor, snapshot };
  const message = error instanceof Error ? error.message : String(error);
  const column: UnreadableColumn = snapshot !== null ? 'snapshot' : 'input';
  if (snapshot !== null && /does not exist/i.test(message)) {
    const known = options.versions.version;
    return {
      ok: false,
      error: unreadableRow(column, 'unknown_state', `the stored snapshot names a state the machines of this release (version ${known}) do not have: ${message}`, version ?? 1),
    };
  }
  return { ok: false, error: unreadableRow(column, 'bad_shape', `the stored ${column} cannot be ${column === 'snapshot' ? 'restored' : 'started'}: ${message}`, version) };
}

/**
 * What a reader shows as a stored item's outcome: the stored one, or, when that column is not
 * JSON, the `unreadable_row` error that says so (the state column still says where it stood).
 * `status`, `export`, the report and the dashboard read outcomes through it, so one bad row is
 * shown with its cause instead of ending the command.
 *
 * @example
 * ```ts
 * describeItem(item.state, storedOutcome(item)).reason;
 * ```
 */
export function storedOutcome(item: Pick<StoredItem, 'outcome' | 'unreadable' | 'machineVersion'>): unknown {
  if (item.outcome !== null || !item.unreadable) return item.outcome;
  const { column, message } = item.unreadable;
  return { outcome: 'failed', error: unreadableRow(column, 'bad_json', `the stored ${column} is not JSON: ${message}`, item.machineVersion ?? undefined) };
}

