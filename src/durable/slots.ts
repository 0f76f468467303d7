/**
 * The runtime's slots for customers in progress: how many more items to claim now. A customer whose
 * only activity is a durable wait (a poll interval, a backoff, an MFA answer window) holds no slot:
 * it stays live (its timer runs in this process) but another customer with a request to make takes
 * its place. Live customers, waiting or not, stay under the memory ceiling.
 */
import { isWaitingOnTimer } from '../../machines/_internals/index.js';
import type { MxClient } from '../api/index.js';
import type { ClientEvents } from '../http/index.js';
import type { LimiterState } from '../http/index.js';
import { createConcurrencyController, DEFAULT_MAX_CONCURRENCY, fixedConcurrency, type ConcurrencyController } from './concurrency.js';

/** A number pins the customers in progress; `auto` sizes it to the rate limit. */
export type ConcurrencySetting = number | 'auto';

export interface SlotItem {
  actor: { getSnapshot(): unknown };
  waiting: boolean;
  stopping: boolean;
}

export interface Slots {
  readonly controller: ConcurrencyController;
  /** Notes that the item moved; whether it waits is read once this turn of the event loop ends. */
  recheck(item: SlotItem): void;
  /** The item left this process. */
  removed(item: SlotItem): void;
  /** Items to claim now, `live` being live now and `backlog` whether the store may hold more. */
  room(live: number, backlog: boolean): number;
  /** Called when an item began to wait, so its slot can be filled. */
  onFreed(listener: () => void): void;
  dispose(): void;
}

/** What the runtime can observe of a client: an `ObservableMxClient` has both. */
interface Observable {
  events?: ClientEvents;
  limiterState?: () => LimiterState;
}

/**
 * @example
 * ```ts
 * const slots = createSlots(client, 'auto', 1200);
 * const claim = slots.room(items.size, !drained);
 * ```
 */
export function createSlots(client: MxClient, setting: ConcurrencySetting = 'auto', maxConcurrency = DEFAULT_MAX_CONCURRENCY): Slots {
  const observed = client as MxClient & Observable;
  const controller =
    setting === 'auto' && observed.events
      ? createConcurrencyController({ max: maxConcurrency })
      : fixedConcurrency(setting === 'auto' ? 16 : setting);
  const ceiling = Math.max(maxConcurrency, controller.adaptive ? 1 : controller.limit);
  const subscriptions = controller.adaptive
    ? [
        observed.events!.on('request', (event) => controller.requestStarted(event.queuedMs ?? 0)),
        observed.events!.on('response', (event) => controller.requestFinished(event.durationMs)),
      ]
    : [];
  const pending = new Set<SlotItem>();
  let waitingCount = 0;
  let scheduled = false;
  let freed: (() => void) | null = null;

  const settle = (): void => {
    scheduled = false;
    let began = false;
    for (const item of pending) {
      if (item.stopping) continue;
      const waiting = isWaitingOnTimer(item.actor.getSnapshot());
      if (waiting === item.waiting) continue;
      item.waiting = waiting;
      waitingCount += waiting ? 1 : -1;
      began ||= waiting;
    }
    pending.clear();
    if (began) freed?.();
  };

  return {
    controller,
    recheck(item) {
      pending.add(item);
      if (!scheduled) {
        scheduled = true;
        setImmediate(settle);
      }
    },
    removed(item) {
      pending.delete(item);
      if (item.waiting) waitingCount -= 1;
      item.waiting = false;
    },
    room(live, backlog) {
      const inUse = live - waitingCount;
      const state = controller.adaptive ? observed.limiterState?.() : undefined;
      const limit = controller.update({
        inUse,
        backlog,
        ...(state ? { limiter: { queued: state.queued, running: state.running, spacingMs: state.minTimeMs, paused: state.pausedUntil !== null } } : {}),
      });
      return Math.max(0, Math.min(limit - inUse, ceiling - live));
    },
    onFreed(listener) {
      freed = listener;
    },
    dispose() {
      for (const subscription of subscriptions) subscription.dispose();
      pending.clear();
    },
  };
}
