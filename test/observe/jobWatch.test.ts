/**
 * A job watch holds whole views only of the customers in progress and the latest to finish: what
 * it keeps per finished customer is one number, so a 200,000-customer job's dashboard does not grow
 * with the customers that finish (issue 22, item 6). The counts stay exact all the same.
 */
import type { InspectionEvent } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { ItemState, StoredItem } from '../../src/durable/store/contract.js';
import { itemViewOf } from '../../src/observe/itemView.js';
import { createJobWatch } from '../../src/observe/jobWatch.js';

const CUSTOMERS = 5_000;

const row = (i: number, state: ItemState, snapshot: unknown = null, outcome: unknown = null): StoredItem =>
  ({ id: `c${i}`, seq: i + 1, state, input: {}, snapshot, outcome, dueAt: null, leaseOwner: null, leaseUntil: null, halt: null, updatedAt: 0 }) as unknown as StoredItem;

/** A persisted onboarding snapshot with its user and one member machine, as the store keeps it. */
const snapshotOf = (i: number, root: string, member: string) => ({
  value: root,
  children: {
    user: { src: 'user', snapshot: { value: 'created' } },
    [`member:c${i}-m0`]: { src: 'member', snapshot: { value: member } },
  },
});

describe('job watch', () => {
  it('keeps one number per finished customer and whole views only of the latest, with exact counts', () => {
    const watch = createJobWatch('onboarding', { recentViews: 50, attentionKept: 20 });
    watch.seed(Array.from({ length: CUSTOMERS }, (_, i) => row(i, 'pending')));
    for (let i = 0; i < CUSTOMERS; i += 1) {
      watch.itemState(`c${i}`, 'active');
      const denied = i % 10 === 0;
      watch.seed([row(i, 'active', snapshotOf(i, 'members', 'polling'))]);
      watch.seed([row(i, denied ? 'needsAction' : 'done', snapshotOf(i, 'done', denied ? 'needsAction' : 'connected'))]);
      watch.itemFinal(`c${i}`, denied ? 'needsAction' : 'done', { outcome: denied ? 'needsAction' : 'done', members: [{ externalId: `c${i}-m0`, outcome: denied ? 'needsAction' : 'connected', connectionStatus: denied ? 'DENIED' : 'CONNECTED', reason: 'connectionStatus' }] });
    }
    const held = watch.held();
    expect(held.indexed).toBe(CUSTOMERS);
    expect(held.live).toBe(0);
    expect(held.recent).toBe(50);
    expect(held.reasons).toBe(20);
    expect(held.sessions).toBe(0);
    // A handful of distinct machine states, whatever the number of customers.
    expect(held.signatures).toBeLessThanOrEqual(10);

    const counts = watch.counts();
    expect(counts.total).toBe(CUSTOMERS);
    expect(counts.notStarted).toBe(0);
    expect(counts.items).toMatchObject({ pending: 0, active: 0, done: CUSTOMERS * 0.9, needsAction: CUSTOMERS * 0.1 });
    expect(counts.machines).toEqual({
      onboarding: { done: CUSTOMERS },
      user: { created: CUSTOMERS },
      member: { connected: CUSTOMERS * 0.9, needsAction: CUSTOMERS * 0.1 },
    });
    // The first customers are no longer held whole (the dashboard reads them from the store) ...
    expect(watch.item('c0')).toBeNull();
    // ... the latest are, with their machines.
    expect(watch.item(`c${CUSTOMERS - 1}`)?.machines[`member:c${CUSTOMERS - 1}-m0`]).toEqual({ machine: 'member', states: ['connected'] });
    expect(watch.list('needsAction', 200)).toHaveLength(20);
    expect(watch.list('needsAction', 200)[0]).toEqual({ id: 'c0', reason: 'c0-m0: needsAction DENIED' });
    expect(watch.search('c4999', 10)).toEqual([{ id: 'c4999', state: 'done', reason: 'done' }]);
  });

  it('counts a store read again (dashboard --job every 2 s) once, and follows a customer that moves', () => {
    const watch = createJobWatch('onboarding', { recentViews: 0 });
    const rows = Array.from({ length: 100 }, (_, i) => row(i, i < 60 ? 'done' : 'pending', i < 60 ? snapshotOf(i, 'done', 'connected') : null));
    watch.seed(rows);
    watch.seed(rows);
    expect(watch.counts()).toMatchObject({ total: 100, notStarted: 40, items: { done: 60, pending: 40 } });
    expect(watch.counts().machines.member).toEqual({ connected: 60 });
    // A customer in progress on another worker is followed whole until it finishes.
    watch.seed([row(70, 'active', snapshotOf(70, 'members', 'polling'))]);
    expect(watch.held().live).toBe(1);
    expect(watch.counts().machines.member).toEqual({ connected: 60, polling: 1 });
    watch.seed([row(70, 'done', snapshotOf(70, 'done', 'connected'))]);
    expect(watch.held()).toMatchObject({ live: 0, recent: 0 });
    expect(watch.counts()).toMatchObject({ notStarted: 39, items: { done: 61, pending: 39, active: 0 } });
    expect(watch.counts().machines.member).toEqual({ connected: 61 });
  });

  it('builds the view of a customer it does not hold from the stored row', () => {
    const view = itemViewOf(row(3, 'needsAction', snapshotOf(3, 'done', 'needsAction'), { outcome: 'needsAction', members: [{ externalId: 'c3-m0', outcome: 'needsAction', connectionStatus: 'DENIED', reason: 'connectionStatus' }] }), 'onboarding');
    expect(view).toEqual({
      id: 'c3', seq: 4, state: 'needsAction', timeline: [], reason: 'c3-m0: needsAction DENIED',
      machines: { root: { machine: 'onboarding', states: ['done'] }, user: { machine: 'user', states: ['created'] }, 'member:c3-m0': { machine: 'member', states: ['needsAction'] } },
    });
  });
});

/** The inspection event XState sends when one of a customer's machines changes state. */
const snapshotEvent = (item: string, actor: 'root' | 'member', value: string): InspectionEvent =>
  ({
    type: '@xstate.snapshot',
    rootId: `root-${item}`,
    actorRef: { sessionId: `${actor}-${item}`, id: actor === 'root' ? 'onboarding' : `member:${item}-m0`, logic: { id: actor === 'root' ? 'onboarding' : 'member', root: {} } },
    snapshot: { value, context: actor === 'root' ? { externalId: item } : {} },
    event: { type: 'x' },
  }) as unknown as InspectionEvent;

describe('job watch, fed by a run', () => {
  it('counts the machines of a customer whose write comes after later customers finished', () => {
    // A busy run: every customer reaches its final state before the first one's item.final (it
    // waits for its write). The latest two views are kept; the first customers' must not be lost.
    const watch = createJobWatch('onboarding', { recentViews: 2 });
    const ids = ['a', 'b', 'c', 'd'];
    for (const id of ids) {
      watch.inspect(snapshotEvent(id, 'root', 'members'));
      watch.inspect(snapshotEvent(id, 'member', 'polling'));
      watch.itemState(id, 'active');
    }
    for (const id of ids) {
      watch.inspect(snapshotEvent(id, 'member', 'connected'));
      watch.inspect(snapshotEvent(id, 'root', 'done'));
      watch.itemState(id, 'done');
    }
    for (const id of ids) watch.itemFinal(id, 'done', { outcome: 'done', members: [] });
    expect(watch.counts().items).toMatchObject({ done: 4, active: 0 });
    expect(watch.counts().machines).toEqual({ onboarding: { done: 4 }, member: { connected: 4 } });
    expect(watch.held()).toMatchObject({ live: 0, recent: 2, sessions: 0 });
  });
});
