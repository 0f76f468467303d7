/**
 * The error transition table: for each state that calls MX and each classified error `kind`, the
 * state the machine goes to next. It is the specification the machines are tested against (one
 * table-driven test drives every cell on a real actor) and the table the README shows.
 *
 * Each cell assumes the error carries its kind's default disposition (`retryable`, `scope`) from
 * the taxonomy, and that the step still has retries left. When retries run out, a job-scope error
 * goes to `halted` and an item-scope error to `failed`.
 *
 * It lives with the tests, not in machines/: the package never reads it, so it does not ship.
 */
import type { ApiErrorKind, ErrorScope } from '../../src/errors/index.js';
import { dispositionOf } from '../../src/errors/index.js';
import { API_ERROR_KINDS } from '../../src/errors/index.js';
import type { LifecycleActorName } from '../../machines/index.js';

/**
 * The default `retryable` and `scope` of each kind, as the classifier gives them. `unknown` is taken
 * as a 4xx, which is what an unexplained rejection becomes in a machine.
 */
export const DEFAULT_DISPOSITIONS: Readonly<Record<ApiErrorKind, { retryable: boolean; scope: ErrorScope }>> = Object.fromEntries(
  API_ERROR_KINDS.map((kind) => [kind, dispositionOf(kind, 400)]),
) as Record<ApiErrorKind, { retryable: boolean; scope: ErrorScope }>;

/** Where an error goes when its step has no special case for its kind. */
export const DEFAULT_NEXT_STATE: Readonly<Record<ApiErrorKind, string>> = {
  duplicate: 'failed',
  not_found: 'failed',
  invalid_external_id: 'failed',
  validation: 'failed',
  token_expired: 'waitingToRetry',
  unauthorized: 'halted',
  forbidden: 'halted',
  rate_limited: 'waitingToRetry',
  unavailable: 'waitingToRetry',
  server_error: 'waitingToRetry',
  misconfigured: 'halted',
  conflict: 'failed',
  challenge_expired: 'failed',
  credentials_stale: 'failed',
  not_aggregatable: 'failed',
  unreadable_row: 'failed',
  unknown: 'failed',
};

export type TableMachine = 'user' | 'member' | 'offboarding';

export interface InvokingStateRow {
  machine: TableMachine;
  /** The state's path, dot-separated (`polling.checkingStatus`). */
  state: string;
  /** The effect actor the state invokes. */
  actor: LifecycleActorName;
  /** The next state for each kind. */
  next: Readonly<Record<ApiErrorKind, string>>;
}

function row(machine: TableMachine, state: string, actor: LifecycleActorName, special: Partial<Record<ApiErrorKind, string>> = {}): InvokingStateRow {
  return { machine, state, actor, next: { ...DEFAULT_NEXT_STATE, ...special } };
}

/**
 * Every invoking state of the user, member and offboarding machines. Offboarding's member cells
 * assume one listed member: with more, "deletingUser" reads "the next member".
 */
export const TRANSITION_TABLE: readonly InvokingStateRow[] = [
  row('user', 'creating', 'createUser', { duplicate: 'recoveringDuplicate' }),
  row('user', 'recoveringDuplicate', 'findUser'),
  row('member', 'resolvingCredentialFields', 'listCredentialFields'),
  row('member', 'creating', 'createMember', { duplicate: 'recoveringDuplicate', credentials_stale: 'resolvingCredentialFields' }),
  row('member', 'recoveringDuplicate', 'findMember'),
  row('member', 'aggregating', 'aggregateMember', { conflict: 'polling.checkingStatus' }),
  row('member', 'polling.checkingStatus', 'readMemberStatus'),
  row('member', 'loadingChallenges', 'listChallenges'),
  row('member', 'resuming', 'resumeAggregation', { challenge_expired: 'needsAction', conflict: 'polling.checkingStatus' }),
  row('offboarding', 'findingUser', 'findUser', { not_found: 'done' }),
  row('offboarding', 'findingMember', 'findMember', { not_found: 'deletingUser' }),
  row('offboarding', 'deletingMember', 'deleteMember', { not_found: 'deletingUser' }),
  row('offboarding', 'deletingUser', 'deleteUser', { not_found: 'done' }),
];

/**
 * The table as markdown: one table per machine, a row per kind and a column per invoking state.
 *
 * @example
 * ```ts
 * console.log(renderTransitionTable());
 * ```
 */
export function renderTransitionTable(table: readonly InvokingStateRow[] = TRANSITION_TABLE): string {
  const machines = [...new Set(table.map((r) => r.machine))];
  return machines
    .map((machine) => {
      const rows = table.filter((r) => r.machine === machine);
      const header = `| kind (retryable, scope) | ${rows.map((r) => `\`${r.state}\``).join(' | ')} |`;
      const rule = `| --- |${rows.map(() => ' --- |').join('')}`;
      const lines = API_ERROR_KINDS.map((kind) => {
        const { retryable, scope } = DEFAULT_DISPOSITIONS[kind];
        const cells = rows.map((r) => (r.next[kind] === DEFAULT_NEXT_STATE[kind] ? r.next[kind] : `**${r.next[kind]}**`));
        return `| \`${kind}\` (${retryable ? 'yes' : 'no'}, ${scope}) | ${cells.join(' | ')} |`;
      });
      return [`**${machine}**`, '', header, rule, ...lines].join('\n');
    })
    .join('\n\n');
}
