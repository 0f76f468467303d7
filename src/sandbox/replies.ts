/**
 * How the sandbox writes its answers: an API reply in the version's media type, an error as the
 * configured dialect renders it, a token, or a dropped connection. Each one is counted in the
 * statistics by its status.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxOptions } from './options.js';
import { renderError, type SandboxError } from './renderError.js';
import type { StatsRecorder } from './stats.js';
import { MEDIA_TYPES, type ApiVersion } from './versions.js';

const CONTENT_TYPES: Record<ApiVersion, string> = {
  v20250224: `${MEDIA_TYPES.v20250224}; charset=utf-8`,
  v20111101: `${MEDIA_TYPES.v20111101}; charset=utf-8`,
};
/** Errors, tokens and the admin endpoints answer plain JSON, whatever version was asked for. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The reply writers of one sandbox.
 *
 * @example
 * const { send, sendError } = createReplies(options, stats);
 * send(res, 200, 'v20250224', { user: { guid: 'USR-1' } });
 * sendError(res, { case: 'rate_limited', retryAfterSeconds: 1 });
 */
export function createReplies(options: Pick<SandboxOptions, 'dialect' | 'retryAfter'>, stats: StatsRecorder) {
  const send = (res: ServerResponse, status: number, version: ApiVersion, json?: unknown): void => {
    stats.status(status);
    if (json === undefined) {
      res.writeHead(status, status === 204 ? undefined : { 'content-length': '0' });
      res.end();
      return;
    }
    const body = JSON.stringify(json);
    res.writeHead(status, { 'content-type': CONTENT_TYPES[version], 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const sendError = (res: ServerResponse, error: SandboxError): void => {
    const rendered = renderError(options.dialect, error);
    stats.status(rendered.status);
    const body = rendered.body ?? '';
    const headers: Record<string, string | number> = { ...rendered.headers, 'content-length': Buffer.byteLength(body) };
    if (!options.retryAfter) delete headers['retry-after'];
    if (rendered.body !== null) headers['content-type'] = JSON_TYPE;
    res.writeHead(rendered.status, headers);
    res.end(body);
  };

  const sendToken = (res: ServerResponse, token: unknown): void => {
    stats.status(200);
    const body = JSON.stringify(token);
    res.writeHead(200, { 'content-type': JSON_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };

  const dropConnection = (req: IncomingMessage): void => {
    stats.status('reset');
    req.socket.destroy();
  };

  return { send, sendError, sendToken, dropConnection };
}
