/**
 * The sandbox sees credential values, challenge answers, API keys and tokens; none may come back
 * out of it, in a response, the ground truth or its statistics.
 */
import { describe, expect, it } from 'vitest';
import { Api, basic, request, started } from './helpers.js';

const PASSWORD = 'planted-password-5b1e';
const USERNAME = 'planted-username-9c2f';
const ANSWER = 'planted-answer-77aa';
const KEY = 'planted-api-key-0d3c';

describe('secrets', () => {
  it('never come back in responses, the ground truth or the stats', async () => {
    const sandbox = await started({ aggregationMs: 20, clients: [{ id: 'keeper', key: KEY }] });
    try {
      const api = await Api.connect(sandbox, 'keeper', KEY);
      const token = api.authorization.slice('Bearer '.length);
      const user = await api.createUser('secret-owner');
      const bodies: string[] = [];
      const keep = (text: string) => bodies.push(text);
      const creds = (username: string, password: string) => [{ guid: 'CRD-username', value: username }, { guid: 'CRD-password', value: password }];

      const denied = await api.call('POST', `/users/${user}/members`, { member: { id: 'm-denied', institution_code: 'mxbank', credentials: creds(USERNAME, PASSWORD) } });
      keep(denied.text);
      const challenged = await api.createMember(user, 'm-challenge', 'challenge');
      keep(challenged.text);
      await new Promise((resolve) => setTimeout(resolve, 60));
      const member = challenged.json.member.guid as string;
      const open = await api.call('GET', `/users/${user}/members/${member}/challenges`);
      keep(open.text);
      keep((await api.call('PUT', `/users/${user}/members/${member}/resume`, { member: { challenges: [{ guid: open.json.challenges[0].guid, value: ANSWER }] } })).text);
      // Refused requests carrying secrets: a stale guid, a wrong type, malformed JSON, a duplicate.
      keep((await api.call('POST', `/users/${user}/members`, { member: { institution_code: 'mxbank', credentials: [{ guid: 'CRD-old', value: PASSWORD }] } })).text);
      keep((await api.call('POST', `/users/${user}/members`, { member: { institution_code: 'mxbank', credentials: [{ guid: 'CRD-password', value: { p: PASSWORD } }] } })).text);
      keep((await request(`${sandbox.url}/users/${user}/members`, {
        method: 'POST', headers: { authorization: api.authorization, 'content-type': 'application/json' }, body: `{"member": {"credentials": "${PASSWORD}"`,
      })).text);
      keep((await api.call('POST', `/users/${user}/members`, { member: { id: 'm-denied', institution_code: 'mxbank', credentials: creds(USERNAME, PASSWORD) } })).text);
      // Update member (new credentials, then a refused update) and MX Platform's 409 for the duplicate.
      const NEW_PASSWORD = `${PASSWORD}-new`;
      keep((await api.call('PUT', `/users/${user}/members/${denied.json.member.guid}`, { member: { credentials: creds('mxuser', NEW_PASSWORD) } })).text);
      keep((await api.call('PUT', `/users/${user}/members/${denied.json.member.guid}`, { member: { credentials: [{ guid: 'CRD-old', value: NEW_PASSWORD }] } })).text);
      const platform = await started({ dialect: 'platform', auth: 'basic', clients: [{ id: 'keeper', key: KEY }] });
      try {
        const plain = new Api(platform.url, basic('keeper', KEY));
        const owner = await plain.createUser('platform-owner');
        for (let i = 0; i < 2; i++) keep((await plain.createMember(owner, 'p-dup', NEW_PASSWORD)).text);
        keep(JSON.stringify(platform.state()));
      } finally {
        await platform.close();
      }
      keep((await api.call('GET', `/users/${user}/members`)).text);
      keep((await api.call('GET', `/users/${user}/members/${denied.json.member.guid}/status`)).text);
      keep((await request(`${sandbox.url}/__sandbox/state`)).text);
      keep(JSON.stringify(sandbox.state()));

      expect(denied.status).toBe(202);
      expect(bodies.length).toBe(17);
      for (const secret of [PASSWORD, USERNAME, ANSWER, KEY, token, `${PASSWORD}-new`]) {
        for (const text of bodies) expect(text.includes(secret), `${secret} in ${text.slice(0, 120)}`).toBe(false);
      }
    } finally {
      await sandbox.close();
    }
  });
});
