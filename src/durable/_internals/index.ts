/**
 * The private door of src/durable: the defaults another folder shows without starting a runtime.
 * The command line's flag table reads them here.
 */
export { DEFAULT_MAX_CONCURRENCY } from '../concurrency.js';
export { DEFAULT_OUTAGE_BUDGET_MS } from '../outage.js';
export { DEFAULT_HISTORY_LIMIT } from '../store/contract.js';
export { DEFAULT_LEASE_MS, defaultRuntimeOptions } from '../runtimeDefaults.js';
