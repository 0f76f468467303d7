/**
 * Drops the keys whose value is `undefined`, so an options object spread over its defaults keeps
 * every default the caller did not set (`{ ...defaults, ...defined(options) }`), and an object
 * passed on never carries a key that says nothing. One helper instead of writing
 * `...(x === undefined ? {} : { x })` at every call.
 *
 * @example
 * const merged = { ...defaultLifecycleOptions, ...defined({ maxAttempts: undefined, pollIntervalMs: 500 }) };
 * // merged.maxAttempts is the default; merged.pollIntervalMs is 500
 */
export function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const kept: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) if (entry !== undefined) kept[key] = entry;
  return kept as { [K in keyof T]?: Exclude<T[K], undefined> };
}
