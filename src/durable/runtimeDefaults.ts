/**
 * The defaults of `createRuntime`'s options, in a file of their own so that what shows them (the
 * command line's help) need not load the runtime.
 */
import { DEFAULT_MAX_CONCURRENCY } from './concurrency.js';
import { DEFAULT_OUTAGE_BUDGET_MS } from './outage.js';
import type { RuntimeDefaults } from './runtimeTypes.js';

/** How long a worker's claim on an item lasts without a renewal, unless `leaseMs` says otherwise. */
export const DEFAULT_LEASE_MS = 30_000;

/**
 * The defaults of `createRuntime`'s options, written once: the runtime, the CLI's help and the
 * docs read them here.
 *
 * @example
 * createRuntime({ store, client, leaseMs: defaultRuntimeOptions.leaseMs * 2 });
 */
export const defaultRuntimeOptions: Readonly<RuntimeDefaults> = {
  concurrency: 'auto',
  maxConcurrency: DEFAULT_MAX_CONCURRENCY,
  replaceCredentials: false,
  leaseMs: DEFAULT_LEASE_MS,
  outageBudgetMs: DEFAULT_OUTAGE_BUDGET_MS,
};
