/**
 * Validators for the sandbox's JSON bodies, built from the shapes in MX's OpenAPI file. The spec
 * marks no field required; the fields the lifecycle reads are required here, so a missing one fails.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { expect } from 'vitest';
import { specSchema, requiring } from './specSchemas.js';
import type { SpecVersion } from './specDir.js';

const ajv = new Ajv({ allErrors: true, strict: false });

function schemasOf(version: SpecVersion) {
  const user = requiring(specSchema('UserResponse', version), 'guid', 'id', 'email', 'is_disabled', 'metadata');
  const member = requiring(
    specSchema('MemberResponse', version),
    'guid', 'id', 'user_guid', 'institution_code', 'connection_status', 'is_being_aggregated', 'aggregated_at',
  );
  const memberStatus = requiring(specSchema('MemberStatusResponse', version), 'guid', 'connection_status', 'is_being_aggregated', 'challenges');
  const challenge = requiring(specSchema('ChallengeResponse', version), 'guid', 'type', 'label');
  const credential = requiring(specSchema('CredentialResponse', version), 'guid', 'field_name', 'label', 'type', 'display_order');
  const pagination = requiring(specSchema('PaginationResponse', version), 'current_page', 'per_page', 'total_entries', 'total_pages');
  const institution = requiring(specSchema('InstitutionResponse', version), 'code', 'name', 'supports_oauth');
  const window = requiring(specSchema('OAuthWindowResponse', version), 'guid', 'oauth_window_uri');
  const widget = requiring(specSchema('WidgetResponse', version), 'type', 'url', 'user_id');
  return {
    UserResponseBody: body({ user }),
    UsersResponseBody: body({ users: list(user), pagination }),
    MemberResponseBody: body({ member }),
    MembersResponseBody: body({ members: list(member), pagination }),
    MemberStatusResponseBody: body({ member: memberStatus }),
    ChallengesResponseBody: body({ challenges: list(challenge), pagination }),
    CredentialsResponseBody: body({ credentials: list(credential), pagination }),
    InstitutionsResponseBody: body({ institutions: list(institution), pagination }),
    InstitutionResponseBody: body({ institution }),
    OAuthWindowResponseBody: body({ member: window }),
    WidgetResponseBody: body({ widget_url: widget }),
  };
}

const body = (properties: Record<string, unknown>): Record<string, unknown> => ({
  type: 'object',
  properties,
  required: Object.keys(properties),
  additionalProperties: false,
});
const list = (items: Record<string, unknown>): Record<string, unknown> => ({ type: 'array', items });

export type ShapeName = keyof ReturnType<typeof schemasOf>;
const schemas = new Map<SpecVersion, ReturnType<typeof schemasOf>>();

/** The closed schemas of `version`, read from its OpenAPI file once. */
export function schemasFor(version: SpecVersion): ReturnType<typeof schemasOf> {
  let found = schemas.get(version);
  if (!found) schemas.set(version, (found = schemasOf(version)));
  return found;
}

const compiled = new Map<string, ValidateFunction>();

/** Fails the test, naming every mismatch, when `json` is not of `version`'s `name` shape. */
export function expectShape(version: SpecVersion, name: ShapeName, json: unknown): void {
  let validate = compiled.get(`${version} ${name}`);
  if (!validate) compiled.set(`${version} ${name}`, (validate = ajv.compile(schemasFor(version)[name])));
  const ok = validate(json);
  expect(ok ? [] : ajv.errorsText(validate.errors).split(', '), `${version} ${name}`).toEqual([]);
}
