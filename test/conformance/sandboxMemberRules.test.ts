/**
 * The sandbox's member rules against the words of MX's two OpenAPI files: v20250224's
 * `institution_identifier` ("use either the `institution_code` or the institution `guid`") where
 * v20111101 names `{institution_code}`, and update member's "the request body can't be empty".
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import { platformCaller } from '../sandbox/helpers.js';
import { specFile, type SpecVersion } from './specDir.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ aggregationMs: 20 });
});
afterAll(() => sandbox.close());
const call = platformCaller(() => sandbox);
const spec = (version: SpecVersion): string => readFileSync(specFile(version), 'utf8');
const MXBANK_GUID = 'INS-1572a04c-912b-59bf-5841-332c7dfafaef';

describe('institution credentials by guid', () => {
  const rows: Array<[SpecVersion, string, number]> = [
    ['v20250224', '/institutions/{institution_identifier}/credentials:', 200],
    ['v20111101', '/institutions/{institution_code}/credentials:', 404],
  ];
  it.each(rows)('%s names the path %s, so a guid answers %i', async (version, path, status) => {
    const text = spec(version);
    expect(text).toContain(path);
    if (version === 'v20250224') expect(text).toContain('use either the `institution_code` or the institution `guid`');
    expect((await call('GET', `/institutions/${MXBANK_GUID}/credentials`, undefined, version)).status).toBe(status);
  });
});

describe('update member with an empty member', () => {
  it.each(['v20250224', 'v20111101'] as const)('%s: the spec says the body can\'t be empty, the sandbox answers 400', async (version) => {
    expect(spec(version)).toContain("Member object to be updated (While no single parameter is required, the request body can't be empty)");
    const user = (await call('POST', '/users', { user: { id: `empty-${version}` } }, version)).json.user.guid as string;
    const credentials = [{ guid: 'CRD-username', value: 'mxuser' }, { guid: 'CRD-password', value: `pw-${version}` }];
    const member = (await call('POST', `/users/${user}/members`, { member: { institution_code: 'mxbank', credentials } }, version)).json.member.guid as string;
    expect((await call('PUT', `/users/${user}/members/${member}`, { member: {} }, version)).status).toBe(400);
  });
});
