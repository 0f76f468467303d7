/**
 * The private door of src/sandbox: what the command line's flag table reads of the sandbox (its
 * defaults and fault kinds), without loading the sandbox's server as its public entry does. `mx-lifecycle/sandbox` does not export it; only folders of this package import
 * this file.
 */
export { DEFAULT_WEBHOOK_RETRY_SCALE } from '../webhookOptions.js';
// Read by the flag table without loading the sandbox's server.
export { DEFAULT_CLIENT, defaultSandboxOptions, FAULT_KINDS } from '../options.js';
export { WEBHOOK_FAULT_KINDS } from '../webhookFaults.js';
