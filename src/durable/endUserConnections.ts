/**
 * Where each connection the end user makes stands, read from the store (snapshots and outcomes),
 * for the link server, the `links` export and the counts: which kind it is, whether it waits for
 * its end user now, and the guids a widget or OAuth request needs. Nothing here is a secret: URLs
 * are minted on demand and never stored.
 */
import type { SnapshotStore, StoredItem } from './store/contract.js';

export type EndUserKind = 'oauth' | 'widget';

/** One end-user connection, as the link server needs it. */
export interface EndUserConnection {
  kind: EndUserKind;
  /** Waiting for its end user now (`awaitingEndUser`): a link would be of use. */
  waiting: boolean;
  userGuid?: string;
  memberGuid?: string;
  institutionCode?: string;
}

/** One end-user connection of a job, for listings. */
export interface EndUserConnectionRow {
  customerId: string;
  connectionId: string;
  kind: EndUserKind;
  /** `awaitingEndUser` while it waits; else `pending`, `active`, or its outcome (`connected`, `needsAction`, `failed`, `skipped`). */
  state: string;
  waiting: boolean;
  /** Why it needs action (e.g. `endUserAbandoned`), once it does. */
  reason: string | null;
}

type Json = Record<string, unknown>;
const asObject = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null ? (value as Json) : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const kindOf = (connect: unknown): EndUserKind | null => (connect === 'oauth' || connect === 'widget' ? connect : null);
const WAITS = ['awaitingEndUser', 'awaitingEndUserMember'];

interface View extends EndUserConnectionRow, Omit<EndUserConnection, 'kind' | 'waiting'> {}

/** Every end-user connection of one stored item, from its live member machines, its results, or its input. */
function viewsOf(item: StoredItem): View[] {
  const snapshot = asObject(item.snapshot);
  const context = asObject(snapshot?.context);
  const results = (asObject(item.outcome)?.members ?? context?.members) as unknown;
  const inputs = asObject(item.input)?.members as unknown;
  const children = asObject(snapshot?.children) ?? {};
  const userGuid = text(context?.userGuid) ?? text(asObject(item.outcome)?.userGuid);
  const byId = new Map<string, View>();
  for (const raw of Array.isArray(inputs) ? inputs : []) {
    const input = asObject(raw);
    const kind = kindOf(input?.connect);
    const id = text(input?.externalId);
    if (!kind || !id) continue;
    byId.set(id, { customerId: item.id, connectionId: id, kind, state: 'pending', waiting: false, reason: null, ...(text(input?.institutionCode) ? { institutionCode: text(input?.institutionCode)! } : {}) });
  }
  for (const raw of Array.isArray(results) ? results : []) {
    const result = asObject(raw);
    const id = text(result?.externalId);
    const kind = kindOf(result?.connect) ?? (id ? byId.get(id)?.kind : undefined);
    if (!id || !kind) continue;
    const outcome = text(result?.outcome) ?? 'pending';
    byId.set(id, {
      customerId: item.id, connectionId: id, kind, state: outcome === 'pending' ? (item.snapshot ? 'active' : 'pending') : outcome, waiting: false,
      reason: text(result?.reason) ?? null,
      ...(userGuid ? { userGuid } : {}),
      ...(text(result?.guid) ? { memberGuid: text(result?.guid)! } : {}),
      ...(text(result?.institutionCode) ? { institutionCode: text(result?.institutionCode)! } : {}),
    });
  }
  for (const [actorId, raw] of Object.entries(children)) {
    if (!actorId.startsWith('member:')) continue;
    const member = asObject(asObject(raw)?.snapshot);
    const mc = asObject(member?.context);
    const id = text(mc?.externalId);
    const kind = kindOf(mc?.connect);
    if (!id || !kind || member?.status !== 'active') continue;
    const value = member.value;
    const waiting = WAITS.some((w) => value === w || (asObject(value) !== undefined && w in asObject(value)!));
    byId.set(id, {
      customerId: item.id, connectionId: id, kind, state: waiting ? 'awaitingEndUser' : 'active', waiting, reason: null,
      ...(text(mc?.userGuid) ? { userGuid: text(mc?.userGuid)! } : {}),
      ...(text(mc?.memberGuid) ? { memberGuid: text(mc?.memberGuid)! } : {}),
      ...(text(mc?.institutionCode) ? { institutionCode: text(mc?.institutionCode)! } : {}),
    });
  }
  return [...byId.values()];
}

/**
 * The end-user connection `connectionId` of customer `customerId`, or `null` when the job has no
 * such customer or the connection connects with credentials.
 *
 * @example
 * ```ts
 * const found = await findEndUserConnection(store, 'march', 'cust-1', 'cust-1-bank');
 * if (found?.waiting && found.kind === 'oauth') await client.readOauthWindowUri(found.userGuid!, found.memberGuid!);
 * ```
 */
export async function findEndUserConnection(store: SnapshotStore, jobId: string, customerId: string, connectionId: string): Promise<EndUserConnection | null> {
  const item = await store.getItem(jobId, customerId);
  const view = item ? viewsOf(item).find((v) => v.connectionId === connectionId) : undefined;
  if (!view) return null;
  return {
    kind: view.kind,
    waiting: view.waiting,
    ...(view.userGuid ? { userGuid: view.userGuid } : {}),
    ...(view.memberGuid ? { memberGuid: view.memberGuid } : {}),
    ...(view.institutionCode ? { institutionCode: view.institutionCode } : {}),
  };
}

/**
 * Every end-user connection of a job, in input order, read a page at a time.
 *
 * @example
 * ```ts
 * for await (const row of listEndUserConnections(store, 'march')) if (row.waiting) invite(row);
 * ```
 */
export async function* listEndUserConnections(store: SnapshotStore, jobId: string, pageSize = 500): AsyncGenerator<EndUserConnectionRow> {
  let afterSeq = 0;
  for (;;) {
    // Only the customers whose input may hold such a connection: a job of credentials reads none.
    const page = await store.listItems(jobId, { endUser: true, afterSeq, limit: pageSize });
    for (const item of page) {
      for (const view of viewsOf(item)) {
        yield { customerId: view.customerId, connectionId: view.connectionId, kind: view.kind, state: view.state, waiting: view.waiting, reason: view.reason };
      }
    }
    if (page.length < pageSize) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}

/** A job's end-user connections counted: what the end users did, and what came of it. */
export interface EndUserTally {
  /** End-user connections in the job. */
  connections: number;
  invited: number;
  opened: number;
  connected: number;
  /** Ended needsAction with `endUserAbandoned`. */
  abandoned: number;
  /** Waiting for their end user now. */
  waiting: number;
}

/**
 * The end-user counts of a job: `invited` and `opened` as recorded by the link server, `connected`
 * and `abandoned` from the outcomes.
 *
 * @example
 * ```ts
 * const { invited, opened, connected, abandoned } = await endUserTally(store, 'march');
 * ```
 */
export async function endUserTally(store: SnapshotStore, jobId: string): Promise<EndUserTally> {
  const tally: EndUserTally = { connections: 0, ...(await store.endUserCounts(jobId)), connected: 0, abandoned: 0, waiting: 0 };
  for await (const row of listEndUserConnections(store, jobId)) {
    tally.connections += 1;
    if (row.state === 'connected') tally.connected += 1;
    if (row.reason === 'endUserAbandoned') tally.abandoned += 1;
    if (row.waiting) tally.waiting += 1;
  }
  return tally;
}
