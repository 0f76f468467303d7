/**
 * @module
 * Watching a job: the dashboard server, its statecharts, Prometheus metrics and structured logs.
 *
 * ```ts
 * import { createJobWatch, createLifecycleMetrics, lifecycleCharts, sampleRates, startDashboardServer } from 'mx-lifecycle/observe';
 *
 * const watch = createJobWatch('onboarding');
 * const metrics = createLifecycleMetrics({ registry });
 * metrics.observeClient(client);
 * const runtime = createRuntime({ store, client, inspect: (event) => watch.inspect(event) });
 * const server = await startDashboardServer({
 *   job: 'march', kind: 'onboard', watch, charts: await lifecycleCharts(), running: () => true, halt: () => null,
 *   rates: sampleRates(client, () => watch.counts()), metrics,
 * });
 * console.log(`dashboard: ${server.url}`);
 * ```
 */
export { createJobWatch, defaultJobWatchOptions, type JobWatch, type JobWatchOptions, type WatchCounts, type WatchHeld } from './jobWatch.js';
export type { ItemView, TimelineEntry } from './itemView.js';
export { startDashboardServer, type DashboardServer, type DashboardServerOptions, type DashboardSource } from './dashboardServer.js';
export { createLifecycleMetrics, type LifecycleMetrics, type LifecycleMetricsOptions } from './metrics.js';
export { createJobLogger, logJobEvents, LOG_LEVELS, type JobLoggerOptions, type LogFormat } from './logger.js';
export { sampleRates, type RateSample, type RateSampler } from './rates.js';
export { chartOf, layoutStatechart, type Statechart, type ChartState, type ChartTransition } from './statechart.js';
export { lifecycleCharts } from './charts.js';
