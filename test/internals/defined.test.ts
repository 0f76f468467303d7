import { describe, expect, it } from 'vitest';
import { defined } from '../../src/_internals/defined.js';

describe('defined', () => {
  it('keeps set values, falsy ones included, and drops only undefined', () => {
    const kept = defined({ a: 1, b: undefined, c: 0, d: '', e: null, f: false });
    expect(kept).toEqual({ a: 1, c: 0, d: '', e: null, f: false });
    expect(Object.keys(kept)).not.toContain('b');
  });

  it('lets defaults survive an options object with unset keys', () => {
    const defaults = { maxAttempts: 5, pollIntervalMs: 3000 };
    const merged = { ...defaults, ...defined({ maxAttempts: undefined as number | undefined, pollIntervalMs: 500 }) };
    expect(merged).toEqual({ maxAttempts: 5, pollIntervalMs: 500 });
  });
});
