/** Returned by every subscription; `dispose()` unsubscribes. */
export interface Disposable {
  dispose(): void;
}

/** The listening side of a typed event hub, keyed by each event's `type`. */
export interface Events<M extends Record<string, { type: string }>> {
  /** Listens to one kind of event. */
  on<K extends keyof M & string>(type: K, listener: (event: M[K]) => void): Disposable;
  /** Listens to every event. */
  onAny(listener: (event: M[keyof M]) => void): Disposable;
}

/** The emitting side, kept inside the object that owns the hub. */
export interface Hub<M extends Record<string, { type: string }>> extends Events<M> {
  emit(event: M[keyof M]): void;
  /** Whether anyone listens to `type` (so costly payloads are built only when someone will read them). */
  has(type: keyof M & string): boolean;
}

/**
 * A small typed emitter. A listener that throws is ignored: observing work never breaks it.
 *
 * @example
 * ```ts
 * const hub = createHub<{ done: { type: 'done'; id: string } }>();
 * const sub = hub.on('done', (e) => console.log(e.id));
 * hub.emit({ type: 'done', id: 'a' });
 * sub.dispose();
 * ```
 */
export function createHub<M extends Record<string, { type: string }>>(): Hub<M> {
  type Any = M[keyof M];
  const listeners = new Set<{ type: string; listener: (event: Any) => void }>();
  const add = (type: string, listener: (event: Any) => void): Disposable => {
    const entry = { type, listener };
    listeners.add(entry);
    return { dispose: () => void listeners.delete(entry) };
  };
  return {
    on(type, listener) {
      return add(type, listener as (event: Any) => void);
    },
    onAny(listener) {
      return add('*', listener);
    },
    has(type) {
      for (const entry of listeners) if (entry.type === '*' || entry.type === type) return true;
      return false;
    },
    emit(event) {
      for (const entry of listeners) {
        if (entry.type !== '*' && entry.type !== event.type) continue;
        try {
          entry.listener(event);
        } catch {
          // An observer's bug must not stop the work it observes.
        }
      }
    },
  };
}
