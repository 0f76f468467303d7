/**
 * The private door of src/observe: the loopback checks that src/links shares with the dashboard.
 * `mx-lifecycle/observe` does not export them; only folders of this package import this file.
 */
export { isLoopbackHost, LOOPBACK_HOST, refusal } from '../loopback.js';
