/**
 * One OpenTelemetry span per request sent to MX, after the stable HTTP client conventions
 * (https://opentelemetry.io/docs/specs/semconv/http/http-spans/): kind CLIENT, named
 * `{method} {url.template}`, one span per attempt with `http.request.resend_count` on a resend.
 * Identifiers never reach an attribute: the path's guids, codes and external ids become template
 * names (`/users/{user_guid}`), `url.full` carries `REDACTED` in their place, and no header, body,
 * token or key is read here.
 */
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from '@opentelemetry/semantic-conventions';
import type { ApiErrorKind } from '../errors/index.js';
import { loadOtelApi, otelApi, tracerOf, traceScope, type OtelContext } from '../_internals/index.js';

// Started as the client loads, so that its first request does not wait for it.
void loadOtelApi();

/** `url.template` is still in development in the conventions: its name is kept here, not imported. */
export const ATTR_URL_TEMPLATE = 'url.template';
/** The classified kind of a failed request (`rate_limited`, `duplicate`, …): errors.md lists them. */
export const ATTR_ERROR_KIND = 'mx_lifecycle.error.kind';

/** Segments that name a part of a resource, never an identifier, where an identifier could stand. */
const LITERAL_SEGMENTS = new Set(['favorites', 'default', 'current', 'merge', 'generate', 'reposition']);
const PLACEHOLDERS: Record<string, string> = { users: 'user_guid', members: 'member_guid', institutions: 'institution_code' };

function placeholderAfter(collection: string): string {
  return PLACEHOLDERS[collection] ?? `${collection.replace(/s$/, '')}_guid`;
}

/**
 * The low-cardinality template of an MX path: MX's paths alternate a collection and one of its
 * identifiers, so every segment after a collection is named after it (the names MX's OpenAPI file
 * uses), and a query keeps its keys only.
 *
 * @example
 * urlTemplate('/users/USR-1/members/MBR-2/status'); // '/users/{user_guid}/members/{member_guid}/status'
 * urlTemplate('/users?id=c-1&page=1');               // '/users?id={id}&page={page}'
 */
export function urlTemplate(path: string, replace: (name: string) => string = (name) => `{${name}}`): string {
  const q = path.indexOf('?');
  const segments = (q < 0 ? path : path.slice(0, q)).split('/');
  // segments[0] is the empty text before the leading slash, so identifiers sit at even indexes.
  const templated = segments.map((segment, i) => {
    if (i === 0 || i % 2 === 1 || segment === '' || LITERAL_SEGMENTS.has(segment)) return segment;
    return replace(placeholderAfter(segments[i - 1] ?? ''));
  });
  const query = (q < 0 ? [] : path.slice(q + 1).split('&')).filter((pair) => pair !== '').map((pair) => {
    const raw = pair.split('=')[0] ?? '';
    let name = raw;
    try {
      name = decodeURIComponent(raw);
    } catch {
      // A malformed escape is kept as written.
    }
    return `${encodeURIComponent(name)}=${replace(name)}`;
  });
  return `${templated.join('/')}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/** Where requests go: the `server.*` attributes and the base URL's own path. */
export interface TraceServer {
  origin: string;
  address: string;
  port: number;
  basePath: string;
}

/**
 * Reads the server attributes from the client's base URL.
 *
 * @example
 * traceServerOf('https://int-api.mx.com'); // { origin: 'https://int-api.mx.com', address: 'int-api.mx.com', port: 443, basePath: '' }
 */
export function traceServerOf(baseUrl: string): TraceServer | null {
  try {
    const url = new URL(baseUrl);
    const port = url.port === '' ? (url.protocol === 'http:' ? 80 : 443) : Number(url.port);
    // The origin, not the whole URL: a base URL written with user:password@ keeps them out.
    return { origin: url.origin, address: url.hostname, port, basePath: url.pathname.replace(/\/+$/, '') };
  } catch {
    return null;
  }
}

/**
 * The context a request's spans start under: the step or job around the call, else whatever
 * the application made active. Read when the call is made, before the limiter queues it.
 *
 * @example
 * const parent = requestParent();
 */
export function requestParent(): OtelContext | undefined {
  const api = otelApi();
  if (!api) return undefined;
  return traceScope.getStore()?.context ?? api.context.active();
}

/** How an attempt ended, as far as its span tells. */
export interface AttemptOutcome {
  /** 0 when no response came. */
  status: number;
  kind?: ApiErrorKind;
  timeout?: boolean;
  /** The caller cancelled it: not an error, by the conventions. */
  aborted?: boolean;
}

export interface AttemptSpan {
  end(outcome: AttemptOutcome): void;
}

/**
 * Starts the span of one attempt; null when tracing is off.
 *
 * @example
 * const span = startAttemptSpan(parent, server, { method: 'GET', path: '/users/USR-1', attempt: 1 });
 * span?.end({ status: 200 });
 */
export function startAttemptSpan(
  parent: OtelContext | undefined,
  server: TraceServer | null,
  request: { method: string; path: string; attempt: number },
): AttemptSpan | null {
  const api = otelApi();
  if (!api || !server) return null;
  const template = `${server.basePath}${urlTemplate(request.path)}`;
  const span = tracerOf(api).startSpan(
    `${request.method} ${template}`,
    {
      kind: api.SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_SERVER_ADDRESS]: server.address,
        [ATTR_SERVER_PORT]: server.port,
        [ATTR_URL_FULL]: `${server.origin}${server.basePath}${urlTemplate(request.path, () => 'REDACTED')}`,
        [ATTR_URL_TEMPLATE]: template,
        ...(request.attempt > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: request.attempt - 1 } : {}),
      },
    },
    parent,
  );
  return {
    end(outcome) {
      if (outcome.status > 0) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
      const failed = !outcome.aborted && (outcome.status === 0 || outcome.status >= 400);
      if (failed) {
        // The status code for a response, else a timeout or the classified kind: all low-cardinality.
        span.setAttribute(ATTR_ERROR_TYPE, outcome.status > 0 ? String(outcome.status) : outcome.timeout ? 'timeout' : (outcome.kind ?? '_OTHER'));
        if (outcome.kind) span.setAttribute(ATTR_ERROR_KIND, outcome.kind);
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
