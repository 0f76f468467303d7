/**
 * Issue 24 (items 1–4) against MX's OpenAPI files: every challenge the spec's ChallengeResponse
 * allows is read by the client, and X-Callback-Payload is what the spec's xCallback parameter says.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { normalizeChallenge } from '../../src/api/challenges.js';
import { isChallenge } from '../../src/api/schemas.js';
import { callbackPayloadOf } from '../../src/durable/index.js';
import { specFile, type SpecVersion } from './specDir.js';
import { specSchema } from './specSchemas.js';

const VERSIONS: SpecVersion[] = ['v20111101', 'v20250224'];
const ajv = new Ajv({ allErrors: true, strict: false });

// Bodies built from the spec's own examples: the nulls its `nullable: true` allows, IMAGE_OPTIONS choices.
const challenges: [string, Record<string, unknown>][] = [
  ['#/components/schemas/ChallengeResponse, every field null but guid', { guid: 'CRD-1', field_name: null, image_data: null, label: null, type: null, options: [], image_options: [] }],
  ['#/components/schemas/OptionResponse, label and guid null (item 2)', { guid: 'CRD-2', type: 'OPTIONS', label: 'Where should we send the code?', options: [{ guid: null, label: null, value: 'image_data' }] }],
  ['#/components/schemas/ImageOptionResponse (item 3)', { guid: 'CRD-3', type: 'IMAGE_OPTIONS', label: 'Who is this guy?', options: [], image_options: [{ data_uri: 'data:image/png;base64,iVBORw0KGgo=', guid: 'CRD-x', label: 'IMAGE_1', value: 'image_data' }] }],
  ['#/components/schemas/ChallengeResponse, IMAGE_DATA', { guid: 'CRD-4', type: 'IMAGE_DATA', label: 'Who is this guy?', image_data: 'iVBORw0KGgo=' }],
];

describe.each(VERSIONS)('MX %s', (version) => {
  const validate = ajv.compile(specSchema('ChallengeResponse', version));
  it.each(challenges)('%s: the spec allows it and the client reads it', (_, body) => {
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    expect(isChallenge.problem(body)).toBe('valid');
    const read = normalizeChallenge(body as never);
    expect(typeof read.type).toBe('string');
    for (const option of read.options ?? []) expect(typeof option.label).toBe('string');
    if (Array.isArray(body.image_options) && body.image_options.length > 0) expect(read.options).toHaveLength(body.image_options.length);
  });

  it('xCallback (item 4): base64, at most 1024 characters, on create, update and aggregate; the payload the runtime sends fits', () => {
    const text = readFileSync(specFile(version), 'utf8');
    const param = /\n {4}xCallback:\n {6}description: (.*)\n/.exec(text)?.[1] ?? '';
    expect(param).toMatch(/base64 encoded string/);
    expect(param).toMatch(/Max 1024 characters/);
    const refs = [...text.matchAll(/^ {2}(\/users\/[^\n]+):\n((?: {4}.*\n|\n)*)/gm)]
      .filter(([, , body]) => body!.includes("$ref: '#/components/parameters/xCallback'"))
      .map(([, path]) => path!);
    expect(refs.some((p) => p.endsWith('/members'))).toBe(true);
    expect(refs.some((p) => /\/members\/\{member_(guid|identifier)\}$/.test(p))).toBe(true);
    expect(refs.some((p) => p.endsWith('/aggregate'))).toBe(true);
    const payload = callbackPayloadOf({ job: 'j'.repeat(128), customer: 'c'.repeat(128), connection: 'm'.repeat(128) })!;
    expect(payload).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(payload.length).toBeLessThanOrEqual(1024);
  });
});
