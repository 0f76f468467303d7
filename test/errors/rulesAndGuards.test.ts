import { describe, expect, it } from 'vitest';
import {
  API_ERROR_KINDS,
  classify,
  createClassifier,
  defaultClassifyOptions,
  dispositionOf,
  isApiError,
  isRetryable,
  isSystemic,
  type ClassifierRule,
} from '../../src/errors/index.js';

const ownApi = (status: number, code: string, message: string) => ({
  status,
  headers: {},
  body: JSON.stringify({ code, message }),
});

describe('user rules', () => {
  it('a rule teaches the classifier an API of one’s own', () => {
    const rules: ClassifierRule[] = [{ status: 400, code: 'E_DUP', kind: 'duplicate' }];
    const e = classify(ownApi(400, 'E_DUP', 'Customer CUS-42 is already on file'), { rules });
    expect(e).toMatchObject({ kind: 'duplicate', retryable: false, scope: 'item', code: 'E_DUP' });
    // Without the rule the same body is only what its status says.
    expect(classify(ownApi(400, 'E_DUP', 'Customer CUS-42 is already on file')).kind).toBe('validation');
  });

  it('a rule wins over the built-in rules, and its kind still gets the fields the kind carries', () => {
    const body = { status: 400, headers: {}, body: JSON.stringify({ error: 'User already exists with guid USR-42' }) };
    expect(classify(body)).toMatchObject({ kind: 'duplicate', guid: 'USR-42' });
    expect(classify(body, { rules: [{ message: /already exists/, kind: 'conflict' }] }).kind).toBe('conflict');
    expect(classify(body, { rules: [{ status: 400, kind: 'duplicate', retryable: true }] })).toMatchObject({
      kind: 'duplicate',
      guid: 'USR-42',
      retryable: true,
    });
  });

  it('matches status lists and predicates, codes by RegExp, messages by substring or RegExp', () => {
    const rules: ClassifierRule[] = [
      { status: [418, 419], kind: 'conflict' },
      { status: (s) => s >= 520, kind: 'unavailable', retryable: true },
      { code: /^MAINT-\d+$/, kind: 'unavailable' },
      { message: 'PLEASE SLOW DOWN', kind: 'rate_limited' },
      { message: /frozen account/i, kind: 'forbidden', scope: 'item' },
    ];
    expect(classify(ownApi(419, 'x', 'y'), { rules }).kind).toBe('conflict');
    expect(classify(ownApi(522, 'x', 'y'), { rules }).kind).toBe('unavailable');
    expect(classify(ownApi(500, 'MAINT-7', 'y'), { rules }).kind).toBe('unavailable');
    expect(classify(ownApi(400, 'x', 'please slow down a little'), { rules }).kind).toBe('rate_limited');
    expect(classify(ownApi(400, 'x', 'Frozen account, call the bank'), { rules })).toMatchObject({ kind: 'forbidden', scope: 'item' });
    // A body with no message offers its raw text to message rules.
    expect(classify({ status: 400, headers: {}, body: 'please slow down' }, { rules }).kind).toBe('rate_limited');
  });

  it('a rule that throws, or names no known kind, is skipped', () => {
    const rules = [
      { status: () => { throw new Error('bad predicate'); }, kind: 'conflict' },
      { kind: 'not_a_kind' },
      null,
    ] as unknown as ClassifierRule[];
    expect(classify(ownApi(500, 'x', 'y'), { rules }).kind).toBe('server_error');
  });

  it('createClassifier binds the defaults once; per-call rules come first and secrets add up', () => {
    const classifyOwn = createClassifier({
      dialect: 'nexus',
      rules: [{ code: '7001', kind: 'duplicate' }],
      secrets: ['default-secret-123'],
    });
    expect(classifyOwn(ownApi(422, '7001', 'exists')).kind).toBe('duplicate');
    expect(classifyOwn(ownApi(422, '7001', 'exists'), { rules: [{ code: '7001', kind: 'conflict' }] }).kind).toBe('conflict');
    const e = classifyOwn(ownApi(400, 'x', 'default-secret-123 and call-secret-456'), { secrets: ['call-secret-456'] });
    expect(e.dialect).toBe('nexus');
    expect(JSON.stringify(e)).not.toMatch(/default-secret-123|call-secret-456/);
    expect(defaultClassifyOptions).toEqual({ dialect: 'auto', rules: [] });
  });
});

describe('guards and dispositions', () => {
  it('isApiError recognises plain objects from JSON and rejects look-alikes', () => {
    const e = classify({ status: 503, headers: {}, body: '' });
    expect(isApiError(JSON.parse(JSON.stringify(e)))).toBe(true);
    expect(isApiError({ kind: 'unavailable', status: 503, retryable: true, scope: 'job', dialect: 'http' })).toBe(true);
    for (const x of [null, [], 'unavailable', { ...e, kind: 'other' }, { ...e, scope: 'world' }, { ...e, retryable: 'yes' }, new Error('x')]) {
      expect(isApiError(x)).toBe(false);
    }
  });

  it('isRetryable and isSystemic read the disposition', () => {
    expect(isRetryable(classify({ status: 429, headers: {}, body: '' }))).toBe(true);
    expect(isSystemic(classify({ status: 429, headers: {}, body: '' }))).toBe(true);
    expect(isRetryable(classify({ status: 500, headers: {}, body: '' }))).toBe(true);
    expect(isSystemic(classify({ status: 500, headers: {}, body: '' }))).toBe(false);
    expect(isRetryable(classify({ status: 400, headers: {}, body: '' }))).toBe(false);
    expect(isSystemic(classify({ status: 401, headers: {}, body: '' }))).toBe(true);
    expect(isRetryable({ retryable: true })).toBe(false);
  });

  it('dispositionOf gives every kind a disposition, and unknown one by status', () => {
    for (const kind of API_ERROR_KINDS) {
      const d = dispositionOf(kind);
      expect(typeof d.retryable).toBe('boolean');
      expect(['item', 'job']).toContain(d.scope);
    }
    expect(dispositionOf('token_expired')).toEqual({ retryable: true, scope: 'job' });
    expect(dispositionOf('server_error')).toEqual({ retryable: true, scope: 'item' });
    expect(dispositionOf('unknown', 418)).toEqual({ retryable: false, scope: 'item' });
    expect(dispositionOf('unknown', 599)).toEqual({ retryable: true, scope: 'item' });
  });
});
