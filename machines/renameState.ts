/**
 * The migration a release that renames a state needs: the persisted snapshots stored in the old
 * state name it in three places, which this rewrites: the state value, the ids of the actors the
 * state invoked without an id of their own (XState names them `<index>.<machine id>.<state path>`),
 * and the history values keyed by state node id.
 */
import type { PersistedSnapshot } from './versions.js';

export interface StateRename {
  /** Which machine: `root` (the job's own onboarding or offboarding machine) or a child's `src` (`user`, `member`). */
  machine: string;
  /** The state's dotted path in its old name, e.g. `polling.checkingStatus`. */
  from: string;
  /** Its new name (the last segment only: a rename, not a move). */
  to: string;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;

function renameInValue(value: unknown, path: readonly string[], to: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (rest.length === 0 && value === head) return to;
  const object = asObject(value);
  if (!object || !(head in object)) return value;
  if (rest.length > 0) return { ...object, [head]: renameInValue(object[head], rest, to) };
  return Object.fromEntries(Object.entries(object).map(([key, child]) => [key === head ? to : key, child]));
}

/** A state node id (`machine.a.b`) with the renamed segment replaced; any other id as it is. */
function renameInNodeId(id: string, path: readonly string[], to: string): string {
  const [machine, ...segments] = id.split('.');
  const matches = path.every((segment, i) => segments[i] === segment);
  if (!matches) return id;
  segments[path.length - 1] = to;
  return [machine, ...segments].join('.');
}

function renameInMachine(snapshot: Json, path: readonly string[], to: string): Json {
  const children = asObject(snapshot.children) ?? {};
  const renamedChildren = Object.fromEntries(Object.entries(children).map(([key, child]) => {
    const invoked = /^(\d+)\.(.+)$/.exec(key);
    return [invoked ? `${invoked[1]}.${renameInNodeId(invoked[2] ?? '', path, to)}` : key, child];
  }));
  const history = asObject(snapshot.historyValue);
  const renamedHistory = history
    ? Object.fromEntries(Object.entries(history).map(([key, nodes]) => [
      renameInNodeId(key, path, to),
      Array.isArray(nodes) ? nodes.map((node) => {
        const object = asObject(node);
        return object && typeof object.id === 'string' ? { ...object, id: renameInNodeId(object.id, path, to) } : node;
      }) : nodes,
    ]))
    : snapshot.historyValue;
  return {
    ...snapshot,
    value: renameInValue(snapshot.value, path, to),
    ...(snapshot.children !== undefined ? { children: renamedChildren } : {}),
    ...(history ? { historyValue: renamedHistory } : {}),
  };
}

function renameIn(snapshot: Json, rename: StateRename, isRoot: boolean, src: unknown): Json {
  const path = rename.from.split('.');
  const own = (isRoot && rename.machine === 'root') || (!isRoot && src === rename.machine) ? renameInMachine(snapshot, path, rename.to) : snapshot;
  const children = asObject(own.children);
  if (!children) return own;
  const nested = Object.fromEntries(Object.entries(children).map(([key, child]) => {
    const entry = asObject(child);
    const inner = asObject(entry?.snapshot);
    return [key, entry && inner ? { ...entry, snapshot: renameIn(inner, rename, false, entry.src) } : child];
  }));
  return { ...own, children: nested };
}

/**
 * A persisted snapshot with one state renamed, in the machine it names and in every child of that
 * machine's kind. The migration of a release that renames a state.
 *
 * @example
 * ```ts
 * // Release 2 renames the member machine's polling.checkingStatus to polling.readingStatus:
 * const machineVersions = { version: 2, migrations: { 2: (s) => renameState(s, { machine: 'member', from: 'polling.checkingStatus', to: 'readingStatus' }) } };
 * ```
 */
export function renameState(snapshot: PersistedSnapshot, rename: StateRename): PersistedSnapshot {
  return renameIn(snapshot, rename, true, undefined);
}
