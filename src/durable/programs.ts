/**
 * What the runtime needs to know about each kind of job: the provided root machine, how a
 * customer becomes its input (credentials left behind), and how to read a snapshot.
 */
import type { AnyStateMachine } from 'xstate';
import type { LifecycleOptions } from '../../machines/index.js';
import { provideEffects, type LifecycleEffects, type ProvideOptions } from '../../machines/index.js';
import { haltOf, itemStateOf, pendingDueAt } from '../../machines/index.js';
import { machineVersions, type MachineVersions } from '../../machines/index.js';
import type { ApiError } from '../errors/index.js';
import type { CustomerInput } from '../input/index.js';
import type { ItemState, JobKind } from './store/contract.js';

export interface SnapshotSummary {
  state: ItemState;
  /** The state value as a dotted path, for progress and logs. */
  value: string;
  final: boolean;
  outcome: unknown;
  dueAt: number | null;
  halt: ApiError | null;
}

export interface JobProgram {
  machine: AnyStateMachine;
  /** The version its snapshots are stored with, and the migrations from older ones. */
  versions: MachineVersions;
  inputOf(customer: CustomerInput): unknown;
  summarise(snapshot: unknown): SnapshotSummary;
}

function valuePath(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => {
        const rest = valuePath(child);
        return rest ? `${key}.${rest}` : key;
      })
      .join(',');
  }
  return '';
}

/**
 * Reads the coarse state, due time and halt of a live or persisted snapshot.
 *
 * @example
 * summarise(actor.getSnapshot()).state // 'active'
 */
export function summarise(snapshot: unknown): SnapshotSummary {
  const object = snapshot as { status?: string; value?: unknown; output?: unknown };
  const state = itemStateOf(snapshot);
  const final = object.status === 'done' || object.status === 'error';
  return {
    state,
    value: valuePath(object.value),
    final,
    outcome: final ? (object.output ?? null) : null,
    dueAt: final ? null : pendingDueAt(snapshot),
    halt: state === 'halted' ? haltOf(snapshot) : null,
  };
}

/**
 * The program of one kind of job on these effects (and, given, this durable wait).
 *
 * @example
 * const program = jobProgram('onboard', createLifecycleEffects({ client, credentials, answers }));
 */
export function jobProgram(kind: JobKind, effects: LifecycleEffects, options?: Partial<LifecycleOptions>, provide?: ProvideOptions): JobProgram {
  const machines = provideEffects(effects, provide);
  const withOptions = options ? { options } : {};
  if (kind === 'refresh') {
    return {
      machine: machines.refresh,
      versions: machineVersions,
      // A refresh's items are an onboarding job's connected members, read from the store (`planRefresh`), never an input file.
      inputOf: (customer) => {
        throw new TypeError(`refresh items come from an onboarding job's store (refreshJob), not from customers such as "${customer.id}"`);
      },
      summarise,
    };
  }
  if (kind === 'offboard') {
    return {
      machine: machines.offboarding,
      versions: machineVersions,
      inputOf: (customer) => ({
        externalId: customer.id,
        members: customer.members.map((member) => ({ externalId: member.id })),
        ...withOptions,
      }),
      summarise,
    };
  }
  return {
    machine: machines.onboarding,
    versions: machineVersions,
    inputOf: (customer) => ({
      externalId: customer.id,
      ...(customer.email ? { email: customer.email } : {}),
      ...(customer.metadata ? { metadata: JSON.stringify(customer.metadata) } : {}),
      members: customer.members.map((member) => ({
        externalId: member.id,
        institutionCode: member.institution_code ?? '',
        // Given credentials decide at once; without them the machine asks (a login from the credentials source, or OAuth).
        connect: member.connect ?? (member.credentials === undefined ? 'auto' : 'credentials'),
      })),
      ...withOptions,
    }),
    summarise,
  };
}
