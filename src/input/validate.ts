import type { ConnectionInput, ConnectMode, CustomerInput, InputProblem } from './types.js';

const CONNECT_MODES: readonly ConnectMode[] = ['credentials', 'oauth', 'widget'];

const EXTERNAL_ID = /^[A-Za-z0-9_-]{1,128}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Check<T> = { ok: true; value: T } | { ok: false; field: string; reason: string };

function checkExternalId(value: unknown, field: string, reserved: string): Check<string> {
  if (typeof value !== 'string' || value.length === 0) return { ok: false, field, reason: 'is required' };
  if (value.toUpperCase().startsWith(reserved)) {
    return { ok: false, field, reason: `must not start with "${reserved}" (reserved by MX)` };
  }
  if (!EXTERNAL_ID.test(value)) {
    return { ok: false, field, reason: 'may hold only letters, digits, "_" and "-" (at most 128)' };
  }
  return { ok: true, value };
}

function checkConnection(raw: unknown, at: string): Check<ConnectionInput> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { ok: false, field: at, reason: 'must be an object' };
  }
  const record = raw as Record<string, unknown>;
  const id = checkExternalId(record.id, `${at}.id`, 'MBR-');
  if (!id.ok) return id;
  const connect = record.connect;
  if (connect !== undefined && connect !== null && !CONNECT_MODES.includes(connect as ConnectMode)) {
    return { ok: false, field: `${at}.connect`, reason: `must be one of ${CONNECT_MODES.map((m) => `"${m}"`).join(', ')}` };
  }
  const institution = record.institution_code;
  // A widget's end user may pick the bank in the widget.
  const optional = connect === 'widget' && (institution === undefined || institution === null || institution === '');
  if (!optional && (typeof institution !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(institution))) {
    return { ok: false, field: `${at}.institution_code`, reason: 'is required (an institution code such as "mxbank")' };
  }
  const connection: ConnectionInput = { id: id.value, ...(optional ? {} : { institution_code: institution as string }) };
  if (typeof connect === 'string') connection.connect = connect as ConnectMode;
  if (record.credentials !== undefined) {
    const creds = record.credentials;
    if (typeof creds !== 'object' || creds === null || Array.isArray(creds)) {
      return { ok: false, field: `${at}.credentials`, reason: 'must be an object of field name to value' };
    }
    for (const [name, value] of Object.entries(creds)) {
      if (typeof value !== 'string') {
        return { ok: false, field: `${at}.credentials.${name}`, reason: 'must be a string' };
      }
    }
    connection.credentials = creds as Record<string, string>;
  }
  if (connection.connect !== undefined && connection.connect !== 'credentials' && connection.credentials !== undefined) {
    return { ok: false, field: `${at}.credentials`, reason: `are not used by "connect": "${connection.connect}" (the end user connects): leave them out` };
  }
  return { ok: true, value: connection };
}

/**
 * Checks one parsed customer record and returns it in canonical form, or the first problem found.
 *
 * @example
 * validateCustomer({ id: 'cust-1', members: [] }, 3) // { customer: { id: 'cust-1', members: [] } }
 */
export function validateCustomer(raw: unknown, line: number): { customer: CustomerInput } | { problem: InputProblem } {
  const fail = (field: string, reason: string) => ({ problem: { line, field, reason } });
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('(line)', 'must be a JSON object');
  const record = raw as Record<string, unknown>;
  const id = checkExternalId(record.id, 'id', 'USR-');
  if (!id.ok) return fail(id.field, id.reason);
  const customer: CustomerInput = { id: id.value, members: [] };
  if (record.email !== undefined && record.email !== null && record.email !== '') {
    if (typeof record.email !== 'string' || !EMAIL.test(record.email)) return fail('email', 'is not an e-mail address');
    customer.email = record.email;
  }
  if (record.metadata !== undefined && record.metadata !== null) {
    if (typeof record.metadata !== 'object' || Array.isArray(record.metadata)) return fail('metadata', 'must be an object');
    customer.metadata = record.metadata as Record<string, unknown>;
  }
  const members = record.members ?? [];
  if (!Array.isArray(members)) return fail('members', 'must be an array');
  const seen = new Set<string>();
  for (const [index, member] of members.entries()) {
    const checked = checkConnection(member, `members[${index}]`);
    if (!checked.ok) return fail(checked.field, checked.reason);
    if (seen.has(checked.value.id)) return fail(`members[${index}].id`, `"${checked.value.id}" appears twice for this customer`);
    seen.add(checked.value.id);
    customer.members.push(checked.value);
  }
  return { customer };
}
