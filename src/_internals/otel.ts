/**
 * The OpenTelemetry API, when it is installed. It is an optional peer dependency: the library
 * never imports it statically, so it loads and runs the same without it, and traces only when the
 * application has it (and registered a tracer provider). The trace scope carries the span that a
 * request or a step belongs to through the awaits, timers and limiter queue between them, without
 * depending on the application's context manager.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type * as OtelApi from '@opentelemetry/api';

export type OtelApiModule = typeof OtelApi;
export type OtelContext = OtelApi.Context;
export type OtelSpan = OtelApi.Span;
export type OtelAttributes = OtelApi.Attributes;

/** The instrumentation scope every span of the library is made under. */
export const TRACER_NAME = 'mx-lifecycle';

/** What the scope holds: the context spans start under, and the customer it belongs to. */
export interface TraceScope {
  context: OtelContext;
  customerId?: string;
}

/** The span context of the work in progress (a job, a customer, a step). */
export const traceScope = new AsyncLocalStorage<TraceScope>();

let loaded: OtelApiModule | null = null;
let loading: Promise<OtelApiModule | null> | null = null;
let settled = false;

/**
 * Loads `@opentelemetry/api` once; resolves with null when it is not installed.
 *
 * @example
 * const api = await loadOtelApi(); // null without the package
 */
export function loadOtelApi(): Promise<OtelApiModule | null> {
  loading ??= import('@opentelemetry/api').then(
    (module: OtelApiModule) => {
      loaded = module;
      settled = true;
      return module;
    },
    () => {
      settled = true;
      return null;
    },
  );
  return loading;
}

/**
 * The API if it is loaded by now (null before the load settles, or without the package).
 *
 * @example
 * const api = otelApi();
 * if (api) api.trace.getTracer(TRACER_NAME);
 */
export function otelApi(): OtelApiModule | null {
  return loaded;
}

/** Whether the load has settled, either way. */
export const otelSettled = (): boolean => settled;

/**
 * The library's tracer, from the application's global provider (a no-op one until it registers one).
 *
 * @example
 * tracerOf(api).startSpan('onboard job');
 */
export function tracerOf(api: OtelApiModule): OtelApi.Tracer {
  return api.trace.getTracer(TRACER_NAME);
}
