/**
 * DESIGN.md fact 19: XState v5 restores a snapshot only into a machine that has its states. A stored
 * row is migrated from the machines version that wrote it, then restored; a row that cannot be is
 * that customer's `unreadable_row` failure, with its cause, never an exception for the whole job.
 * The renamed state is built here as two versions of a small machine with a child machine, the
 * shape of onboarding and its members.
 */
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, setup, toPromise, type AnyStateMachine } from 'xstate';
import { renameState } from '../../machines/renameState.js';
import { machineVersions, migrateSnapshot, type MachineVersions } from '../../machines/versions.js';
import { restoreItem, storedOutcome } from '../../src/durable/restore.js';
import type { StoredItem } from '../../src/durable/store/contract.js';

/** Version 1 polls in `polling.checkingStatus`; version 2 calls that state `polling.readingStatus`. */
function accountMachines(statusState: 'checkingStatus' | 'readingStatus', read: () => Promise<string>) {
  const member = setup({
    types: { input: {} as { id: string }, context: {} as { id: string; status: string | null } },
    actors: { readStatus: fromPromise(read) },
  }).createMachine({
    id: 'member',
    context: ({ input }) => ({ id: input.id, status: null }),
    initial: 'polling',
    states: {
      polling: {
        initial: statusState,
        states: {
          // No invoke id: XState names the child after the state's path, which a rename must follow.
          [statusState]: { invoke: { src: 'readStatus', onDone: { target: '#member.connected' } } },
        },
      },
      connected: { type: 'final', output: { outcome: 'connected' } },
    },
  });
  return setup({
    types: { input: {} as { externalId: string } },
    actors: { member },
  }).createMachine({
    id: 'onboarding',
    initial: 'members',
    output: { outcome: 'done' },
    states: {
      members: { invoke: { id: 'member:m1', src: 'member', input: { id: 'm1' }, onDone: 'done' } },
      done: { type: 'final' },
    },
  });
}

const stored = (over: Partial<StoredItem>): StoredItem => ({
  jobId: 'j', id: 'c1', seq: 1, input: { externalId: 'c1' }, state: 'active', snapshot: null, machineVersion: null,
  dueAt: null, outcome: null, updatedAt: 0, unreadable: null, ...over,
});

/** A persisted snapshot of version 1, taken while its member reads the status (the read never ends). */
function versionOneSnapshot(): unknown {
  const actor = createActor(accountMachines('checkingStatus', () => new Promise<string>(() => undefined)), { input: { externalId: 'c1' } });
  actor.start();
  const snapshot = actor.getPersistedSnapshot();
  actor.stop();
  return JSON.parse(JSON.stringify(snapshot));
}

const restore = (machine: AnyStateMachine, item: StoredItem, versions: MachineVersions = machineVersions) => restoreItem(item, { machine, versions });

describe('restoring a stored item', () => {
  it('migrates a renamed state, in the child machine that has it, and the restored item runs to its end', async () => {
    const v1 = versionOneSnapshot();
    expect(JSON.stringify(v1)).toContain('checkingStatus');
    const v2 = accountMachines('readingStatus', async () => 'CONNECTED');
    const versions: MachineVersions = {
      version: 2,
      migrations: { 2: (s) => renameState(s, { machine: 'member', from: 'polling.checkingStatus', to: 'readingStatus' }) },
    };

    const restored = restore(v2, stored({ snapshot: v1, machineVersion: 1 }), versions);
    expect(restored.ok).toBe(true);
    if (!restored.ok) return;
    const member = (restored.snapshot as { children: Record<string, { snapshot: { value: unknown; children: Record<string, unknown> } }> }).children['member:m1'];
    expect(member?.snapshot.value).toEqual({ polling: 'readingStatus' });
    expect(Object.keys(member?.snapshot.children ?? {})).toEqual(['0.member.polling.readingStatus']);
    // Fact 1: the status read that was under way starts again on restore, and the item finishes.
    restored.actor.start();
    await expect(toPromise(restored.actor)).resolves.toEqual({ outcome: 'done' });

    // A row stored before versions were kept is version 1, and takes the same migration.
    expect(restore(v2, stored({ snapshot: v1, machineVersion: null }), versions).ok).toBe(true);
  });

  it('sets apart a snapshot naming a state the machines no longer have (the release without its migration)', () => {
    const v2 = accountMachines('readingStatus', async () => 'CONNECTED');
    const restored = restore(v2, stored({ snapshot: versionOneSnapshot(), machineVersion: 1 }), { version: 1, migrations: {} });
    expect(restored).toEqual({
      ok: false,
      error: expect.objectContaining({
        kind: 'unreadable_row', cause: 'unknown_state', column: 'snapshot', machinesVersion: 1, status: 0, retryable: false, scope: 'item', dialect: 'local',
      }),
    });
    if (!restored.ok) expect(restored.error.message).toMatch(/names a state the machines of this release \(version 1\) do not have: .*checkingStatus/);
  });

  it('sets apart a root state name the machine never had', () => {
    const machine = accountMachines('checkingStatus', async () => 'CONNECTED');
    const snapshot = { ...(versionOneSnapshot() as object), value: 'enrolling' };
    const restored = restore(machine, stored({ snapshot }));
    expect(restored.ok ? null : [restored.error.cause, restored.error.column]).toEqual(['unknown_state', 'snapshot']);
  });

  it('names a column that is not JSON, a snapshot that is not an object, an input the machine cannot start from, and a newer release', () => {
    const machine = accountMachines('checkingStatus', async () => 'CONNECTED');
    const causeOf = (item: StoredItem, versions?: MachineVersions) => {
      const restored = restore(machine, item, versions);
      return restored.ok ? null : { cause: restored.error.cause, column: restored.error.column, message: restored.error.message };
    };
    expect(causeOf(stored({ unreadable: { column: 'snapshot', message: 'Unexpected end of JSON input' } }))).toEqual({
      cause: 'bad_json', column: 'snapshot', message: 'the stored snapshot is not JSON: Unexpected end of JSON input',
    });
    expect(causeOf(stored({ input: null, unreadable: { column: 'input', message: 'Unexpected token' } }))).toMatchObject({ cause: 'bad_json', column: 'input' });
    for (const snapshot of [42, 'active', ['a'], true]) {
      expect(causeOf(stored({ snapshot })), JSON.stringify(snapshot)).toMatchObject({ cause: 'bad_shape', column: 'snapshot' });
    }
    expect(causeOf(stored({ snapshot: { status: 'active' } }))).toMatchObject({ cause: 'bad_shape', column: 'snapshot' });
    expect(causeOf(stored({ input: 'c1' }))).toMatchObject({ cause: 'bad_shape', column: 'input' });
    expect(causeOf(stored({ snapshot: versionOneSnapshot(), machineVersion: 3 }))).toMatchObject({
      cause: 'newer_machines', column: 'snapshot', message: expect.stringMatching(/machines version 3, newer than this release's 1/),
    });
    expect(causeOf(stored({ snapshot: versionOneSnapshot(), machineVersion: 1 }), { version: 3, migrations: {} })).toMatchObject({
      cause: 'bad_shape', message: 'no migration leads from machines version 1 to 2',
    });
  });

  it('shows a final row whose outcome is not JSON as an unreadable_row outcome, and a readable outcome as it is', () => {
    expect(storedOutcome(stored({ state: 'done', unreadable: { column: 'outcome', message: 'Unexpected token' } }))).toEqual({
      outcome: 'failed', error: expect.objectContaining({ kind: 'unreadable_row', cause: 'bad_json', column: 'outcome' }),
    });
    expect(storedOutcome(stored({ state: 'done', outcome: { outcome: 'done' } }))).toEqual({ outcome: 'done' });
  });
});

describe('migrateSnapshot', () => {
  it('runs each migration once, in order, on a copy', () => {
    const original = { status: 'active', value: 'a', trail: [] as number[] };
    const versions: MachineVersions = {
      version: 3,
      migrations: {
        2: (s) => ({ ...s, trail: [...(s.trail as number[]), 2] }),
        3: (s) => ({ ...s, trail: [...(s.trail as number[]), 3] }),
      },
    };
    expect(migrateSnapshot(original, 1, versions)).toEqual({ ok: true, from: 1, snapshot: { status: 'active', value: 'a', trail: [2, 3] } });
    expect(migrateSnapshot(original, 2, versions)).toMatchObject({ ok: true, snapshot: { trail: [3] } });
    expect(original.trail).toEqual([]);
    expect(migrateSnapshot(original, 1, { version: 2, migrations: { 2: () => { throw new Error('no'); } } })).toMatchObject({
      ok: false, cause: 'bad_shape', message: 'the migration to machines version 2 failed: no',
    });
  });
});
