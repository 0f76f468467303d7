/**
 * The runtime's spans: one per run of a job on this worker, one per customer it hosts under it,
 * and one per step (an effect the machines invoke: `createUser`, `readMemberStatus`, …) under
 * its customer, with the MX requests of the step under the step. Attributes name the job, the
 * customer and member external ids, the step and its outcome kind: never an input's e-mail,
 * metadata, credentials, answers or an MX guid.
 */
import { defined } from '../_internals/index.js';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import type { LifecycleEffect, LifecycleEffects } from '../../machines/index.js';
import type { ApiError } from '../errors/index.js';
import { loadOtelApi, otelApi, tracerOf, traceScope, type OtelApiModule, type OtelSpan, type TraceScope } from '../_internals/index.js';
import type { ItemState, JobKind } from './store/contract.js';

export const ATTR_JOB_ID = 'mx_lifecycle.job.id';
export const ATTR_JOB_KIND = 'mx_lifecycle.job.kind';
export const ATTR_CUSTOMER_ID = 'mx_lifecycle.customer.id';
export const ATTR_CUSTOMER_STATE = 'mx_lifecycle.customer.state';
export const ATTR_MEMBER_ID = 'mx_lifecycle.member.id';
export const ATTR_STEP = 'mx_lifecycle.step';

/** Runs `fn` in a trace scope (a customer's), or as it is when tracing is off. */
export type Enter = <T>(fn: () => T) => T;

export const passThrough: Enter = (fn) => fn();

/** A customer's span on this worker, from its start (or restore) here until it is final or let go. */
export interface ItemTrace {
  enter: Enter;
  end(state: ItemState | 'released'): void;
}

export interface JobTrace {
  /** Runs the claim loop under the job's span. */
  enter: Enter;
  startItem(itemId: string): ItemTrace;
  end(result: { halted: ApiError | null; error?: unknown }): void;
}

function scoped(scope: TraceScope): Enter {
  return (fn) => traceScope.run(scope, fn);
}

function endWithError(api: OtelApiModule, span: OtelSpan, type: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, type);
  span.setStatus({ code: api.SpanStatusCode.ERROR });
}

/**
 * Starts the span of one run of a job; null when the API is missing or nothing records spans
 * (then the run keeps no trace scope at all).
 *
 * @example
 * const trace = await startJobTrace('march', 'onboard');
 * const result = await (trace?.enter ?? passThrough)(() => loop());
 * trace?.end({ halted: result.halted });
 */
export async function startJobTrace(jobId: string, kind: JobKind): Promise<JobTrace | null> {
  const api = await loadOtelApi();
  if (!api) return null;
  const tracer = tracerOf(api);
  const jobSpan = tracer.startSpan(`${kind} job`, { attributes: { [ATTR_JOB_ID]: jobId, [ATTR_JOB_KIND]: kind } }, api.context.active());
  if (!jobSpan.isRecording()) {
    jobSpan.end();
    return null;
  }
  const jobContext = api.trace.setSpan(api.context.active(), jobSpan);
  return {
    enter: scoped({ context: jobContext }),
    startItem(itemId) {
      const span = tracer.startSpan('customer', { attributes: { [ATTR_JOB_ID]: jobId, [ATTR_CUSTOMER_ID]: itemId } }, jobContext);
      let ended = false;
      return {
        enter: scoped({ context: api.trace.setSpan(jobContext, span), customerId: itemId }),
        end(state) {
          if (ended) return;
          ended = true;
          span.setAttribute(ATTR_CUSTOMER_STATE, state);
          if (state === 'failed') endWithError(api, span, 'failed');
          span.end();
        },
      };
    },
    end({ halted, error }) {
      if (halted) endWithError(api, jobSpan, halted.kind);
      else if (error !== undefined) endWithError(api, jobSpan, 'run_failed');
      jobSpan.end();
    },
  };
}

/** The member a step works on, by its external id: the inputs name it in one of two fields. */
function memberIdOf(name: string, input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const fields = input as { memberExternalId?: unknown; externalId?: unknown };
  if (typeof fields.memberExternalId === 'string') return fields.memberExternalId;
  // The user's effects name the customer in `externalId`; every other effect with one is a member's.
  if (name === 'createUser' || name === 'findUser') return undefined;
  return typeof fields.externalId === 'string' ? fields.externalId : undefined;
}

function traceStep<I, O>(name: string, effect: LifecycleEffect<I, O>): LifecycleEffect<I, O> {
  // The caller goes through: a customer's history ties each request to the machine that made it.
  return (input, signal, caller) => {
    const scope = traceScope.getStore();
    const api = otelApi();
    if (!scope?.customerId || !api) return effect(input, signal, caller);
    const member = memberIdOf(name, input);
    const span = tracerOf(api).startSpan(
      name,
      { attributes: { [ATTR_STEP]: name, [ATTR_CUSTOMER_ID]: scope.customerId, ...defined({ [ATTR_MEMBER_ID]: member }) } },
      scope.context,
    );
    const done = traceScope.run({ ...scope, context: api.trace.setSpan(scope.context, span) }, () => effect(input, signal, caller));
    return Promise.resolve(done).then(
      (result) => {
        if (result.isErr()) endWithError(api, span, result.error.kind);
        span.end();
        return result;
      },
      (error: unknown) => {
        endWithError(api, span, 'exception');
        span.end();
        throw error;
      },
    );
  };
}

/**
 * Wraps every effect in a step span when it runs in a customer's trace scope; outside one
 * (tracing off) an effect runs as it is.
 *
 * @example
 * const machines = provideEffects(traceEffects(createLifecycleEffects({ client, credentials, answers })));
 */
export function traceEffects(effects: LifecycleEffects): LifecycleEffects {
  const traced: Record<string, LifecycleEffect<unknown, unknown>> = {};
  for (const [name, effect] of Object.entries(effects) as [string, LifecycleEffect<unknown, unknown>][]) traced[name] = traceStep(name, effect);
  return traced as LifecycleEffects;
}
