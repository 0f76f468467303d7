import { guidIn, isRecord, textField, type DialectRules, type Evidence, type Verdict } from '../_internals/evidence.js';

/** Member endpoints that start a job on the member (MX's 202 and 409 speak of jobs). */
const JOB_PATH = /^\/users\/[^/]+\/members\/[^/]+\/(?:aggregate|resume|verify|identify|check_balance|extend_history|fetch_statements|fetch_rewards|fetch_tax_documents)$/;
const CREATE_PATH = /^\/users(?:\/[^/]+\/members)?$/;
const USER_PATH = /^\/users\/[^/]+$/;
const MEMBER_PATH = /^\/users\/[^/]+\/members\/[^/]+(?:\/[^/]+)?$/;

const VERSION_HINT = 'MX found no valid API version in the request: choose one it serves with --api-version (v20250224 or v20111101; the client option `apiVersion`).';
const CONSTRAINT =
  'MX refused the call because a constraint of the endpoint was not met (a resume of a member that is no longer CHALLENGED, for one): read the member again and continue.';
const BUSY = 'A job of another type is already running on the member: wait, then try the member again.';
const THROTTLED =
  'MX started no new aggregation: one of the same type is already running, or the minimum interval since the last one has not passed. Wait, then read the member again.';

function pathOf(evidence: Evidence): string | undefined {
  const path = evidence.request?.path.split('?')[0];
  return path === undefined ? undefined : path.replace(/\/+$/, '') || '/';
}

function duplicate(evidence: Evidence): Verdict {
  const guid = evidence.message === undefined ? undefined : guidIn(evidence.message);
  return guid === undefined ? { kind: 'duplicate' } : { kind: 'duplicate', guid };
}

/** A bare 404 means MX has no such URL: the base URL's path is the usual culprit, not a record. */
function wrongUrl(evidence: Evidence): Verdict {
  const { request } = evidence;
  let basePath = '';
  try {
    basePath = request?.baseUrl === undefined ? '' : new URL(request.baseUrl).pathname;
  } catch {
    // An unparsable base URL is named as it was given.
    basePath = request?.baseUrl ?? '';
  }
  const called = request ? `${request.method} ${request.path.split('?')[0]}` : 'The request';
  const base = basePath === '' || basePath === '/' ? 'the base URL (MX serves the Platform API at the root of its host, e.g. https://int-api.mx.com)' : `the base URL's path "${basePath}" (MX serves the Platform API at the root of its host, e.g. https://int-api.mx.com)`;
  return { kind: 'misconfigured', message: `${called} got a 404 with no body: MX has no such URL. Check ${base}.` };
}

/** 409 is "already exists" or "another job is running": the endpoint decides, the wording only when it is unknown. */
function conflict(evidence: Evidence): Verdict {
  const path = pathOf(evidence);
  const method = evidence.request?.method;
  if (path !== undefined && method !== undefined) {
    if ((method === 'POST' && CREATE_PATH.test(path)) || (method === 'PUT' && USER_PATH.test(path))) return duplicate(evidence);
    if (MEMBER_PATH.test(path)) return { kind: 'conflict', retryable: true, scope: 'item', message: BUSY };
  }
  const text = evidence.text ?? '';
  if (/\balready exists\b/i.test(text)) return duplicate(evidence);
  if (/\brunning\b/i.test(text)) return { kind: 'conflict', retryable: true, scope: 'item', message: BUSY };
  return { kind: 'conflict' };
}

/**
 * MX Platform's own statuses (docs.mx.com/api-reference/platform-api/overview/errors; the same table
 * for v20111101), where they differ from the seed documents' APIs: 405 and 409 concern one item,
 * 406 is the API version, a bare 404 is the URL.
 */
function byEndpoint(evidence: Evidence): Verdict | undefined {
  switch (evidence.status) {
    case 202: {
      const path = pathOf(evidence);
      return path !== undefined && JOB_PATH.test(path) ? { kind: 'conflict', retryable: true, scope: 'item', message: THROTTLED } : undefined;
    }
    case 404:
      return evidence.envelope ? undefined : wrongUrl(evidence);
    case 405:
      return { kind: 'conflict', retryable: false, scope: 'item', message: CONSTRAINT };
    case 406:
      return { kind: 'misconfigured', message: VERSION_HINT };
    case 409:
      return conflict(evidence);
    default:
      return undefined;
  }
}

/**
 * MX Platform ("platform"): `{"error": {"message": "…"}}`, also read as `{"error": "…"}`. The status
 * decides first; for a 409 the endpoint that was called; the message text last. Everything else
 * (400, 401, 403, 422, 429, 5xx) follows the shared status rules and MX's documented wording.
 */
export const platform: DialectRules = {
  dialect: 'platform',
  read(body) {
    const json = body.json;
    if (!isRecord(json)) return undefined;
    if (typeof json.error === 'string') return { message: json.error };
    if (!isRecord(json.error)) return undefined;
    const code = textField(json.error.code);
    const message = textField(json.error.message);
    return { ...(code === undefined ? {} : { code }), ...(message === undefined ? {} : { message }) };
  },
  codes: [],
  messages: [],
  byEndpoint,
};
