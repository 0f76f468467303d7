/**
 * The front door of src/_internals: small pieces shared by several folders of the package (a typed
 * hub, the optional OpenTelemetry API, a sliding window, a listening helper). No entry exports them.
 */
export { type Disposable, type Events, type Hub, createHub } from './hub.js';
export { type OtelApiModule, type OtelContext, type OtelSpan, type TraceScope, loadOtelApi, otelApi, otelSettled, traceScope, tracerOf } from './otel.js';
export { SlidingWindow } from './slidingWindow.js';
export { listenOn } from './listen.js';
export { defined } from './defined.js';
