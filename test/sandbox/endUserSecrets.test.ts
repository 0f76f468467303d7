/**
 * The end-user pages keep to their own user and keep secrets: a page shows the institution and the
 * challenge of its own member and nothing of another user (nor any guid), never writes back what
 * the end user typed, and the ground truth counts URLs without holding them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { apiOf, openPage, submit } from './endUserHelpers.js';
import { sleep } from './helpers.js';

let sandbox: Sandbox;
let api: ReturnType<typeof apiOf>;

beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 50 });
  api = apiOf(sandbox);
});
afterAll(async () => {
  await sandbox.close();
});

const OTHER = {
  id: 'alice-7c1e-external-id',
  email: 'alice-7c1e@example.test',
  metadata: 'alice-7c1e-user-metadata',
  memberId: 'alice-7c1e-member-id',
  memberMetadata: 'alice-7c1e-member-metadata',
};
const TYPED = { username: 'mxuser', password: 'challenge', answer: 'correct' };

describe('end-user pages', () => {
  it('never show anything of another user, any guid, or what the end user typed', async () => {
    const alice = await api.user(OTHER.id, { email: OTHER.email, metadata: OTHER.metadata });
    const aliceMember = await api.member(alice, OTHER.memberId, 'password', { metadata: OTHER.memberMetadata });
    const aliceOauth = await api.oauthMember(alice, `${OTHER.memberId}-oauth`);
    // Alice has her own open links, so a mix-up would have something to show.
    await api.widget(alice, { current_member_guid: aliceMember });

    const bob = await api.user('bob-9d2f');
    const bobMember = await api.member(bob, 'bob-9d2f-m', 'UNAUTHORIZED');
    const bobOauth = await api.oauthMember(bob, 'bob-9d2f-oauth');
    const pages: string[] = [];
    const keep = async (reply: Promise<{ text: string }>): Promise<string> => {
      const { text } = await reply;
      pages.push(text);
      return text;
    };

    const fresh = await api.widget(bob);
    await keep(openPage(fresh));
    await keep(submit(fresh, { institution_code: 'mxbank', username: TYPED.username, password: '' }));
    await keep(submit(fresh, { institution_code: 'mxbank', username: TYPED.username, password: TYPED.password }));
    for (let i = 0; i < 200 && !(await keep(openPage(fresh))).includes('name="answer"'); i++) await sleep(20);
    expect(pages.at(-1)).toContain('name="answer"');
    await keep(submit(fresh, { answer: TYPED.answer }));
    await keep(openPage(fresh));

    const relink = await api.widget(bob, { current_member_guid: bobMember });
    await keep(openPage(relink));
    await keep(submit(relink, { username: TYPED.username, password: 'password-5e1b' }));
    await keep(openPage(bobOauth.uri));
    await keep(submit(bobOauth.uri, { outcome: 'nonsense-8a3c' }));
    await keep(submit(bobOauth.uri, { outcome: 'authorized' }));
    const viaWidget = await api.widget(bob);
    await keep(submit(viaWidget, { institution_code: 'oauthbank' }));
    await keep(submit(viaWidget, { outcome: 'denied' }));

    expect(pages.length).toBeGreaterThanOrEqual(13);
    const forbidden = [
      alice, aliceMember, aliceOauth.guid, ...Object.values(OTHER), 'USR-', 'MBR-', 'CRD-',
      'password-5e1b', 'nonsense-8a3c', `value="${TYPED.username}"`, `value="${TYPED.password}"`,
    ];
    for (const page of pages) {
      for (const word of forbidden) expect(page).not.toContain(word);
    }
  });

  it('the ground truth counts the URLs and holds none of them', async () => {
    const user = await api.user('state-9e0a');
    const widget = await api.widget(user);
    const { uri } = await api.oauthMember(user, 'state-9e0a-oauth');
    await submit(uri, { outcome: 'authorized' });
    const state = sandbox.state();
    const text = JSON.stringify(state);
    for (const url of [widget, uri]) {
      expect(text).not.toContain(url.split('/').pop());
      expect(text).not.toContain(url);
    }
    expect(state.endUser.widgetUrls.issued).toBeGreaterThanOrEqual(1);
    expect(state.endUser.oauthWindows.completed).toBeGreaterThanOrEqual(1);
  });
});
