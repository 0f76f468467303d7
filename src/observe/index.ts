/**
 * Watching a job: the dashboard server, its statecharts, Prometheus metrics and structured logs.
 */
export { createJobWatch, defaultJobWatchOptions, itemViewOf, ATTENTION_KEPT, RECENT_VIEWS, TIMELINE_LIMIT, type JobWatch, type JobWatchOptions, type ItemView, type TimelineEntry, type WatchCounts, type WatchHeld } from './jobWatch.js';
export { startDashboardServer, type DashboardServer, type DashboardServerOptions, type DashboardSource } from './dashboardServer.js';
export { createLifecycleMetrics, endpointOf, type LifecycleMetrics, type LifecycleMetricsOptions } from './metrics.js';
export { createJobLogger, logJobEvents, textLine, LOG_LEVELS, REDACTED_PATHS, type JobLoggerOptions, type LogFormat } from './logger.js';
export { sampleRates, RATE_SAMPLES, type RateSample, type RateSampler } from './rates.js';
export { chartOf, layoutStatechart, type Statechart, type ChartState, type ChartTransition } from './statechart.js';
export { lifecycleCharts } from './charts.js';
export { isLoopbackHost, refusal, LOOPBACK_HOST } from './loopback.js';
