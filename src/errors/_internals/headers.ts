/**
 * Reads one header from whatever the caller has: a fetch `Headers`, a `Map`, or a plain record in
 * any letter case whose values may be strings, numbers or arrays. Never throws.
 */
export function headerValue(headers: unknown, name: string): string | undefined {
  try {
    if (typeof headers !== 'object' || headers === null) return undefined;
    const wanted = name.toLowerCase();
    if (headers instanceof Map) {
      for (const [key, value] of headers) {
        if (typeof key === 'string' && key.toLowerCase() === wanted) return asText(value);
      }
      return undefined;
    }
    const get = (headers as { get?: unknown }).get;
    if (typeof get === 'function') {
      const value: unknown = get.call(headers, name);
      return asText(value);
    }
    for (const key of Object.keys(headers)) {
      if (key.toLowerCase() === wanted) {
        const value = asText((headers as Record<string, unknown>)[key]);
        if (value !== undefined) return value;
      }
    }
  } catch {
    // A throwing getter or a revoked proxy is a header we cannot read.
  }
  return undefined;
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) {
    const parts = value.filter((v): v is string => typeof v === 'string');
    return parts.length > 0 ? parts.join(', ') : undefined;
  }
  return undefined;
}
