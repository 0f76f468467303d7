/**
 * Reading a persisted snapshot (plain JSON from the store) the way a dashboard draws it: the leaf
 * states of the root machine and of each child machine, and a customer's outcome as one reason.
 */

type Json = Record<string, unknown>;

const asObject = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null ? (value as Json) : undefined);

/**
 * The leaf state paths of a state value.
 *
 * @example
 * leavesOf({ polling: 'checkingStatus' }) // ['polling.checkingStatus']
 */
export function leavesOf(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  const object = asObject(value);
  if (!object) return [];
  const leaves = Object.entries(object).flatMap(([key, child]) => {
    const below = leavesOf(child, `${prefix}${key}.`);
    return below.length > 0 ? below : [prefix + key];
  });
  return leaves;
}

/**
 * The machines of a persisted snapshot by actor key (`root`, `user`, `member:<id>`) with their
 * leaf states. Promise actors (no state value) are left out.
 *
 * @example
 * machineStatesOf(item.snapshot, 'onboarding').root // { machine: 'onboarding', states: ['members'] }
 */
export function machineStatesOf(snapshot: unknown, rootMachine: string): Record<string, { machine: string; states: string[] }> {
  const found: Record<string, { machine: string; states: string[] }> = {};
  const visit = (node: Json, key: string, machine: string) => {
    if (node.value === undefined) return;
    found[key] = { machine, states: leavesOf(node.value) };
    for (const [id, child] of Object.entries(asObject(node.children) ?? {})) {
      const entry = asObject(child);
      const childSnapshot = asObject(entry?.snapshot);
      if (childSnapshot && typeof entry?.src === 'string') visit(childSnapshot, id, entry.src);
    }
  };
  const root = asObject(snapshot);
  if (root) visit(root, 'root', rootMachine);
  return found;
}

function describeError(error: unknown): string | null {
  const object = asObject(error);
  if (!object || typeof object.kind !== 'string') return null;
  return typeof object.message === 'string' && object.message ? `${object.kind}: ${object.message}` : object.kind;
}

/**
 * One line saying why a customer ended where it did: each member that did not connect with its
 * connection status or reason, or the error of the user or of the deletion.
 *
 * @example
 * reasonOf({ outcome: 'needsAction', members: [{ externalId: 'c1-mxbank', outcome: 'needsAction', connectionStatus: 'DENIED', reason: 'connectionStatus' }] })
 * // 'c1-mxbank: needsAction DENIED'
 */
export function reasonOf(outcome: unknown): string | null {
  const object = asObject(outcome);
  if (!object) return null;
  const parts: string[] = [];
  const own = describeError(object.error);
  if (own) parts.push(own);
  for (const member of Array.isArray(object.members) ? object.members : []) {
    const m = asObject(member);
    if (!m || m.outcome === 'connected' || m.outcome === 'deleted' || m.outcome === 'alreadyGone') continue;
    const detail = [m.outcome, m.connectionStatus, m.reason !== 'connectionStatus' ? m.reason : null, describeError(m.error)]
      .filter((v) => typeof v === 'string' && v !== '')
      .join(' ');
    parts.push(`${String(m.externalId)}: ${detail}`);
  }
  if (parts.length === 0 && typeof object.outcome === 'string') parts.push(object.outcome);
  return parts.length > 0 ? parts.join('; ') : null;
}
