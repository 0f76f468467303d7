/**
 * The gate an operator's pause closes in front of one run's effects. A call that reaches a closed
 * gate waits there before its request is made; a call already past it (in flight) finishes, and
 * the gate counts them so the run can say "paused" only once the last one has answered. A durable
 * wait (`sleepUntil`) that falls due while the gate is closed waits behind it too, so the step it
 * would start runs after the resume. Nothing here is stored: the pause itself is in the job's
 * record, and a restored item's pending call simply meets the gate again.
 */
import { fromPromise, type AnyActorRef, type PromiseActorLogic } from 'xstate';
import { waitUntil, type SleepUntilActorInput } from '../../machines/_internals/index.js';
import type { LifecycleEffects } from '../../machines/index.js';

export interface PauseGate {
  /** Whether calls wait now. */
  closed(): boolean;
  close(): void;
  /** Lets every waiting call through, in the order they came. */
  open(): void;
  /** Calls past the gate that have not answered yet. */
  inFlight(): number;
  /** Runs `listener` each time the last call in flight answers while the gate is closed. */
  onIdle(listener: () => void): () => void;
  /**
   * Resolves when the gate is open (at once if it is). An abort (the actor was stopped) takes the
   * call out of the queue; its promise then never settles, as no one waits for it any more.
   */
  pass(signal: AbortSignal): Promise<void>;
  /** Runs `call` once past the gate, counted in flight until it settles. */
  run<T>(signal: AbortSignal, call: () => PromiseLike<T>): Promise<T>;
}

/**
 * Creates an open gate.
 *
 * @example
 * ```ts
 * const gate = createPauseGate();
 * gate.close(); // calls made from now on wait
 * gate.onIdle(() => console.log('paused: nothing in flight'));
 * gate.open();
 * ```
 */
export function createPauseGate(): PauseGate {
  let isClosed = false;
  let flying = 0;
  const waiting = new Set<() => void>();
  const idle = new Set<() => void>();

  const pass = (signal: AbortSignal): Promise<void> => {
    if (!isClosed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const go = () => {
        signal.removeEventListener('abort', drop);
        resolve();
      };
      const drop = () => waiting.delete(go);
      waiting.add(go);
      signal.addEventListener('abort', drop, { once: true });
    });
  };

  return {
    closed: () => isClosed,
    close() {
      isClosed = true;
    },
    open() {
      isClosed = false;
      const queued = [...waiting];
      waiting.clear();
      for (const go of queued) go();
    },
    inFlight: () => flying,
    onIdle(listener) {
      idle.add(listener);
      return () => idle.delete(listener);
    },
    pass,
    async run(signal, call) {
      await pass(signal);
      flying += 1;
      try {
        return await call();
      } finally {
        flying -= 1;
        if (flying === 0 && isClosed) for (const listener of idle) listener();
      }
    },
  };
}

/**
 * Effects that make no MX request: they wait behind the gate but are not counted in flight, as an
 * answer source may wait for a person for minutes and the run could never say it is paused.
 */
const NOT_REQUESTS: ReadonlySet<string> = new Set(['answerChallenge']);

/**
 * The effects with every call behind `gate`.
 *
 * @example
 * ```ts
 * const machines = provideEffects(gatedEffects(effects, gate), { sleepUntil: gatedSleepUntil(gate) });
 * ```
 */
export function gatedEffects(effects: LifecycleEffects, gate: PauseGate): LifecycleEffects {
  const gated: Record<string, unknown> = {};
  // The caller goes through: a customer's history ties each request to the machine that made it.
  for (const [name, effect] of Object.entries(effects) as [string, (input: unknown, signal: AbortSignal, caller?: AnyActorRef) => PromiseLike<unknown>][]) {
    gated[name] = NOT_REQUESTS.has(name)
      ? async (input: unknown, signal: AbortSignal, caller?: AnyActorRef) => {
          await gate.pass(signal);
          return effect(input, signal, caller);
        }
      : (input: unknown, signal: AbortSignal, caller?: AnyActorRef) => gate.run(signal, () => effect(input, signal, caller));
  }
  return gated as LifecycleEffects;
}

/**
 * The durable wait behind `gate`: due while the job is paused, it ends when the job is resumed.
 *
 * @example
 * ```ts
 * const machines = provideEffects(effects, { sleepUntil: gatedSleepUntil(gate) });
 * ```
 */
export function gatedSleepUntil(gate: PauseGate): PromiseActorLogic<void, SleepUntilActorInput> {
  return fromPromise<void, SleepUntilActorInput>(async ({ input, signal }) => {
    await waitUntil(input.until, signal);
    await gate.pass(signal);
  });
}
