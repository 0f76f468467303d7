/**
 * `/institutions` and `/institutions/{institution_code}`: the sandbox's institutions as MX's
 * InstitutionResponse (both OpenAPI files), `supports_oauth` telling which ones need the end user.
 */
import { INSTITUTIONS, type Institution } from '../mxbank.js';
import type { ApiVersion } from '../versions.js';
import { fail, paginate, type Handler } from './context.js';

/** MX's InstitutionResponse; v20250224 adds `guid` and `is_hidden`, v20111101 has the `supports_*` product flags. */
export function institutionJson(institution: Institution, version: ApiVersion): Record<string, unknown> {
  const common = {
    code: institution.code,
    forgot_password_url: null,
    forgot_username_url: null,
    instructional_text: null,
    instructional_text_steps: null,
    is_disabled_by_client: false,
    iso_country_code: 'US',
    medium_logo_url: null,
    name: institution.name,
    small_logo_url: null,
    supports_oauth: institution.oauth,
    supports_tax_document: false,
    trouble_signing_in_url: null,
    url: null,
  };
  if (version === 'v20250224') return { ...common, guid: institution.guid, is_hidden: false };
  const aggregates = !institution.manual;
  return {
    ...common,
    supports_account_identification: aggregates,
    supports_account_statement: false,
    supports_account_verification: aggregates,
    supports_transaction_history: aggregates,
  };
}

/** MX's list institutions, with its `name` filter (a case-insensitive part of the name or code). */
export const listInstitutions: Handler = (ctx) => {
  const name = ctx.query.get('name')?.toLowerCase();
  const matching = [...INSTITUTIONS.values()].filter(
    (i) => name === undefined || i.name.toLowerCase().includes(name) || i.code.includes(name),
  );
  const { page, pagination } = paginate(matching, matching.length, ctx.query);
  return { status: 200, json: { institutions: page.map((i) => institutionJson(i, ctx.version)), pagination } };
};

export const readInstitution: Handler = (ctx) => {
  const institution = INSTITUTIONS.get(ctx.institutionCode);
  return institution
    ? { status: 200, json: { institution: institutionJson(institution, ctx.version) } }
    : fail({ case: 'institution_not_found', onCreate: false });
};
