/**
 * MFA challenges as MX is seen to send them (issue 24, items 1–3). Each row is a status body or a
 * challenges page that a real MX may serve; none of them may turn the member's status into an
 * `unknown` error, and an IMAGE_OPTIONS challenge's choices must reach the person answering.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createMxClient, type MxChallenge, type ObservableMxClient } from '../../src/api/index.js';
import { challengeLines, saveChallengeImages, withSavedImages } from '../../src/cli/ui/answerPrompt.js';
import { summariseChallenge } from '../../machines/actors.js';
import { startStub, type StubServer } from '../http/loopback.js';
import { valueOf } from '../http/results.js';

// A 1x1 PNG, as a data URI the way ImageOptionResponse.data_uri is documented ("data:image/png;base64,…").
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

interface Row {
  item: string;
  source: string;
  sent: Record<string, unknown>;
  expected: Partial<MxChallenge>;
}

const rows: Row[] = [
  {
    item: '1: a numeric type, as MX shows it',
    // docs.mx.com/products/connectivity/overview/mfa: the CHALLENGED example has "type": 0 for "What city were you born in?".
    source: 'docs.mx.com/products/connectivity/overview/mfa',
    sent: { field_name: null, guid: 'CRD-8f841084', label: 'What city were you born in?', type: 0 },
    expected: { guid: 'CRD-8f841084', type: 'TEXT', label: 'What city were you born in?', options: [] },
  },
  {
    item: '1: a number no document names is kept as its digits',
    source: 'docs.mx.com/products/connectivity/overview/mfa',
    sent: { guid: 'CRD-n', label: 'Code?', type: 9 },
    expected: { type: '9', label: 'Code?', options: [] },
  },
  {
    item: '1: a string type, as the spec says',
    source: 'spec #/components/schemas/ChallengeResponse/properties/type (string, nullable)',
    sent: { guid: 'CRD-s', label: 'Code?', type: 'TOKEN' },
    expected: { type: 'TOKEN' },
  },
  {
    item: '2: an option whose label (and guid) is null',
    source: 'spec #/components/schemas/OptionResponse (guid, label, value all nullable)',
    sent: { guid: 'CRD-o', label: 'Send the code to', type: 'OPTIONS', options: [{ guid: null, label: null, value: 'phone-1' }, { label: 'Email', value: 'email-1' }] },
    expected: { type: 'OPTIONS', options: [{ label: 'phone-1', value: 'phone-1' }, { label: 'Email', value: 'email-1' }] },
  },
  {
    item: '2: an option with no value cannot be answered and is left out',
    source: 'spec #/components/schemas/OptionResponse',
    sent: { guid: 'CRD-v', label: 'Pick', type: 'OPTIONS', options: [{ label: 'None', value: null }, { label: 'One', value: '1' }] },
    expected: { options: [{ label: 'One', value: '1' }] },
  },
  {
    item: '3: IMAGE_OPTIONS carries its choices in image_options[]',
    source: 'spec #/components/schemas/ChallengeResponse/properties/image_options and #/components/schemas/ImageOptionResponse',
    sent: {
      guid: 'CRD-i', label: 'Which is your image?', type: 'IMAGE_OPTIONS', options: [],
      image_options: [
        { data_uri: `data:image/png;base64,${PNG}`, guid: null, label: 'IMAGE_1', value: 'image-one' },
        { data_uri: `data:image/png;base64,${PNG}`, label: null, value: 'image-two' },
      ],
    },
    expected: {
      type: 'IMAGE_OPTIONS',
      options: [
        { label: 'IMAGE_1', value: 'image-one', data_uri: `data:image/png;base64,${PNG}` },
        { label: 'image-two', value: 'image-two', data_uri: `data:image/png;base64,${PNG}` },
      ],
    },
  },
];

describe('challenges as MX sends them', () => {
  let stub: StubServer;
  let client: ObservableMxClient;
  let current: Row = rows[0]!;
  beforeAll(async () => {
    stub = await startStub((request) => {
      const challenge = current.sent;
      if (request.path.includes('/status')) {
        return { status: 200, json: { member: { guid: 'MBR-1', connection_status: 'CHALLENGED', is_being_aggregated: true, challenges: [challenge] } } };
      }
      return { status: 200, json: { challenges: [challenge], pagination: { current_page: 1, per_page: 25, total_entries: 1, total_pages: 1 } } };
    });
    client = createMxClient({ baseUrl: stub.url, clientId: 'id', apiKey: 'key' });
  });
  afterAll(async () => {
    await client.close();
    await stub.close();
  });

  it.each(rows)('item $item ($source): the status and the challenge list read it', async (row) => {
    current = row;
    const status = valueOf(await client.readMemberStatus('USR-1', 'MBR-1'));
    expect(status.connection_status).toBe('CHALLENGED');
    expect(status.challenges?.[0]).toMatchObject(row.expected);
    const listed = valueOf(await client.listMemberChallenges('USR-1', 'MBR-1'));
    expect(listed[0]).toMatchObject(row.expected);
    expect(listed[0]).not.toHaveProperty('image_options');
    // What the member machine keeps (and the running job shows) has the choices too, never a picture.
    const summary = summariseChallenge(listed[0]!);
    expect(summary.options).toEqual((row.expected.options ?? []).map(({ label, value }) => ({ label, value })));
    expect(JSON.stringify(summary)).not.toContain('base64');
  });
});

describe('an IMAGE_OPTIONS challenge shown to the person answering', () => {
  // spec #/components/schemas/ImageOptionResponse: each choice's picture is its data_uri.
  it('saves each choice\'s picture (owner-only) and numbers it as an OPTIONS choice', () => {
    const challenge: MxChallenge = {
      guid: 'CRD-i', type: 'IMAGE_OPTIONS', label: 'Which is your image?',
      options: [{ label: 'IMAGE_1', value: 'a', data_uri: `data:image/png;base64,${PNG}` }, { label: 'IMAGE_2', value: 'b', data_uri: `data:image/png;base64,${PNG}` }],
    };
    const saved = saveChallengeImages(challenge);
    try {
      expect(saved.options).toHaveLength(2);
      for (const path of saved.options) {
        expect(readFileSync(path!).equals(Buffer.from(PNG, 'base64'))).toBe(true);
        expect(statSync(path!).mode & 0o777).toBe(0o600);
      }
      expect(challengeLines(challenge, saved)).toEqual([
        '  Which is your image?\n',
        `    1. IMAGE_1 (image in ${saved.options[0]})\n`,
        `    2. IMAGE_2 (image in ${saved.options[1]})\n`,
      ]);
    } finally {
      rmSync(dirname(saved.options[0]!), { recursive: true, force: true });
    }
  });

  it('removes the saved pictures once the person has answered, or stopped answering', async () => {
    const challenge: MxChallenge = { guid: 'CRD-g', type: 'IMAGE_DATA', label: 'What is shown?', image_data: PNG, options: [] };
    let seen = '';
    await withSavedImages(challenge, async (saved) => {
      seen = saved.image ?? '';
      expect(existsSync(seen)).toBe(true);
    });
    expect(seen).not.toBe('');
    expect(existsSync(dirname(seen))).toBe(false);
    await expect(withSavedImages(challenge, async (saved) => {
      seen = saved.image ?? '';
      throw new Error('Ctrl-C');
    })).rejects.toThrow('Ctrl-C');
    expect(existsSync(dirname(seen))).toBe(false);
  });

  it('saves nothing for a TEXT challenge', () => {
    const saved = saveChallengeImages({ guid: 'CRD-t', type: 'TEXT', label: 'City?', options: [] });
    expect(saved).toEqual({ image: null, options: [] });
  });
});
