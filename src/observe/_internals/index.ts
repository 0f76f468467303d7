/**
 * The private door of src/observe: the loopback checks that src/links and the command line share
 * with the dashboard, and the customer view the command line builds from a stored row.
 * `mx-lifecycle/observe` does not export them; only folders of this package import this file.
 */
export { isLoopbackHost, LOCAL_PAGE_HEADERS, LOOPBACK_HOST, refusal } from '../loopback.js';
export { itemViewOf } from '../itemView.js';
// The command line reads its log flags without loading the logger (pino) or the dashboard.
export { LOG_LEVELS, type LogFormat } from '../levels.js';
