/**
 * The HTTP details the API documents: its media type, what an acceptable `Accept` is, what
 * counts as a JSON `Content-Type`, and reading a body of at most 1 MB.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export const MX_MEDIA_TYPE = 'application/vnd.mx.api.v1+json';
export const MAX_BODY_BYTES = 1024 * 1024;
/** Past this much, an oversized body is not even drained: the connection is dropped. */
const MAX_DRAIN_BYTES = 16 * MAX_BODY_BYTES;

const ACCEPTED = new Set(['*/*', 'application/*', 'application/json', MX_MEDIA_TYPE, '']);

/** Whether an `Accept` header allows MX's v1 JSON; a missing header is tolerated by the caller. */
export function acceptable(accept: string): boolean {
  if (accept === MX_MEDIA_TYPE) return true;
  for (const part of accept.split(',')) {
    if (ACCEPTED.has((part.split(';')[0] ?? '').trim().toLowerCase())) return true;
  }
  return false;
}

/** Whether a `Content-Type` header says JSON (`application/json` or a `+json` type). */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const type = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Whether the request says it has no body: `Content-Length: 0`, or neither a length nor chunks. */
export function hasEmptyBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  return length === undefined ? headers['transfer-encoding'] === undefined : length.trim() === '0';
}

export type BodyResult = { ok: true; text: string } | { ok: false; reason: 'too_large' | 'aborted' };

/**
 * The request's body as text, or `too_large` once it passes 1 MB (the rest is drained so the
 * connection can answer 413 and be reused), or `aborted` when the client went away.
 */
export function readBody(req: IncomingMessage): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult): void => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else if (size > MAX_DRAIN_BYTES) {
        req.socket.destroy();
        finish({ ok: false, reason: 'aborted' });
      }
    });
    req.on('end', () => finish(size > MAX_BODY_BYTES ? { ok: false, reason: 'too_large' } : { ok: true, text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => finish({ ok: false, reason: 'aborted' }));
    req.on('close', () => finish({ ok: false, reason: 'aborted' }));
  });
}

/** The JSON in `text`; `undefined` for an empty body; `malformed` when it does not parse. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}
