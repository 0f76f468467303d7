/**
 * Validators for the sandbox's JSON bodies, built from the shapes in MX's OpenAPI file. The spec
 * marks no field required; the fields the lifecycle reads are required here, so a missing one fails.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { requiring, specSchema } from './specSchemas.js';

const ajv = new Ajv({ allErrors: true, strict: false });

const user = requiring(specSchema('UserResponse'), 'guid', 'id', 'email', 'is_disabled', 'metadata');
const member = requiring(
  specSchema('MemberResponse'),
  'guid', 'id', 'user_guid', 'institution_code', 'connection_status', 'is_being_aggregated', 'aggregated_at',
);
const memberStatus = requiring(specSchema('MemberStatusResponse'), 'guid', 'connection_status', 'is_being_aggregated', 'challenges');
const challenge = requiring(specSchema('ChallengeResponse'), 'guid', 'type', 'label');
const credential = requiring(specSchema('CredentialResponse'), 'guid', 'field_name', 'label', 'type', 'display_order');
const pagination = requiring(specSchema('PaginationResponse'), 'current_page', 'per_page', 'total_entries', 'total_pages');

const body = (properties: Record<string, unknown>): Record<string, unknown> => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const list = (items: Record<string, unknown>): Record<string, unknown> => ({ type: 'array', items });

export const SCHEMAS = {
  UserResponseBody: body({ user }),
  UsersResponseBody: body({ users: list(user), pagination }),
  MemberResponseBody: body({ member }),
  MembersResponseBody: body({ members: list(member), pagination }),
  MemberStatusResponseBody: body({ member: memberStatus }),
  ChallengesResponseBody: body({ challenges: list(challenge), pagination }),
  CredentialsResponseBody: body({ credentials: list(credential), pagination }),
} as const;

const compiled = new Map<keyof typeof SCHEMAS, ValidateFunction>();

/** Fails the test, naming every mismatch, when `json` is not of the spec's `name` shape. */
export function expectShape(name: keyof typeof SCHEMAS, json: unknown): void {
  let validate = compiled.get(name);
  if (!validate) compiled.set(name, (validate = ajv.compile(SCHEMAS[name])));
  const ok = validate(json);
  expect(ok ? [] : ajv.errorsText(validate.errors).split(', '), `${name}`).toEqual([]);
}
