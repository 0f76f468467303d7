import { describe, expect, it } from 'vitest';
import { createLinkGate, mxRedirectPolicy } from '../../src/links/index.js';

const ref = (customerId: string) => ({ jobId: 'j', customerId, connectionId: 'c' });

describe('the link gate', () => {
  it('admits a connection mintsPerMinute times a minute, then asks it to wait until the minute has passed', () => {
    let now = 0;
    const gate = createLinkGate({ mintsPerMinute: 3 }, () => now);
    for (let i = 0; i < 3; i++) expect(gate.mint(ref('a'))).toBe('ok');
    expect(gate.mint(ref('a'))).toBe('tooMany');
    expect(gate.mint(ref('b'))).toBe('ok');
    now = 60_001;
    expect(gate.mint(ref('a'))).toBe('ok');
  });

  it('holds at most maxMintsInFlight requests at once, over every connection', () => {
    const gate = createLinkGate({ maxMintsInFlight: 2 });
    expect(gate.enter()).toBe('ok');
    expect(gate.enter()).toBe('ok');
    expect(gate.enter()).toBe('busy');
    gate.release();
    expect(gate.enter()).toBe('ok');
  });

  it('remembers a bounded number of connections however many distinct tokens arrive', () => {
    const gate = createLinkGate({ maxTracked: 100 });
    for (let i = 0; i < 5_000; i++) {
      gate.mint(ref(`c${i}`));
    }
    expect(gate.size()).toBe(100);
  });

  it('records an opening once a minute per connection at most', () => {
    let now = 0;
    const gate = createLinkGate({}, () => now);
    expect(gate.firstOpen(ref('a'))).toBe(true);
    expect(gate.firstOpen(ref('a'))).toBe(false);
    now = 61_000;
    expect(gate.firstOpen(ref('a'))).toBe(true);
  });
});

describe('where a link may redirect', () => {
  // Hosts from MX's spec examples: WidgetResponse.url (int-widgets.moneydesktop.com) and
  // MemberResponse.oauth_window_uri (mxbank.mx.com).
  const production = mxRedirectPolicy('https://int-api.mx.com');
  it.each([
    ['https://int-widgets.moneydesktop.com/md/connect/abc', true],
    ['https://mxbank.mx.com/oauth/authorize?client_id=x', true],
    ['http://int-widgets.moneydesktop.com/md/connect/abc', false],
    ['https://evil.example/', false],
    ['https://mx.com.evil.example/', false],
    ['https://evilmoneydesktop.com/', false],
    ['https://.mx.com/', false],
    ['https://user:pw@int-widgets.moneydesktop.com/', false],
    ['javascript:alert(1)', false],
    ['//evil.example/', false],
    ['not a url', false],
  ])('%s → %s', (url, allowed) => {
    expect(production(url)).toBe(allowed);
  });

  it('allows the sandbox on loopback by its exact origin only', () => {
    const local = mxRedirectPolicy('http://127.0.0.1:4010');
    expect(local('http://127.0.0.1:4010/widget/abc')).toBe(true);
    expect(local('http://127.0.0.1:4011/widget/abc')).toBe(false);
    expect(local('http://localhost:4010/widget/abc')).toBe(false);
    expect(local('https://evil.example/')).toBe(false);
  });
});
