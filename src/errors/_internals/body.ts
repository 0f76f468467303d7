/** Bodies larger than this are not parsed: no documented error body comes near it. */
export const MAX_PARSE_BYTES = 1024 * 1024;
/** How much of a body is decoded and searched when it is not parsed. */
const TEXT_WINDOW = 64 * 1024;
/** The cap on excerpts and copied messages, in UTF-8 bytes. */
export const EXCERPT_BYTES = 2048;

/** A response body as the classifier reads it. */
export interface BodyView {
  /** The head of the body as text (at most `TEXT_WINDOW` characters, or the whole parsed body). */
  text: string;
  /** The parsed JSON value, when the body is a JSON object no larger than `MAX_PARSE_BYTES`. */
  json?: unknown;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });

function decode(bytes: Uint8Array, limit: number): string {
  return decoder.decode(bytes.byteLength > limit ? bytes.subarray(0, limit) : bytes);
}

function toText(body: unknown): { text: string; size: number } {
  if (typeof body === 'string') {
    return { text: body.length > MAX_PARSE_BYTES ? body.slice(0, TEXT_WINDOW) : body, size: body.length };
  }
  let bytes: Uint8Array | undefined;
  if (body instanceof Uint8Array) bytes = body;
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
  else if (ArrayBuffer.isView(body)) bytes = new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (!bytes) return { text: '', size: 0 };
  const size = bytes.byteLength;
  return { text: decode(bytes, size > MAX_PARSE_BYTES ? TEXT_WINDOW : size), size };
}

/**
 * Decodes and, when small enough and shaped like an object, parses a body. Never throws: bytes that
 * are not UTF-8 decode with replacement characters, and text that is not JSON stays text.
 */
export function readBody(body: unknown): BodyView {
  try {
    const { text, size } = toText(body);
    const trimmed = text.replace(/^\uFEFF/, '').trimStart();
    if (size > MAX_PARSE_BYTES || !(trimmed.startsWith('{') || trimmed.startsWith('['))) {
      return { text: text.length > TEXT_WINDOW ? text.slice(0, TEXT_WINDOW) : text };
    }
    try {
      return { text, json: JSON.parse(trimmed) as unknown };
    } catch {
      return { text };
    }
  } catch {
    return { text: '' };
  }
}

/**
 * The head of `text` in at most `maxBytes` UTF-8 bytes, cut on a code point boundary and marked
 * with an ellipsis when cut.
 */
export function excerpt(text: string, maxBytes: number = EXCERPT_BYTES): string {
  // A UTF-16 unit never takes more than 3 UTF-8 bytes, so short text needs no counting.
  if (text.length * 3 <= maxBytes) return text;
  const budget = maxBytes - 3; // room for the ellipsis
  let bytes = 0;
  let cut = -1;
  let index = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (cut < 0 && bytes + size > budget) cut = index;
    bytes += size;
    if (bytes > maxBytes) return `${text.slice(0, cut)}…`;
    index += ch.length;
  }
  return text;
}
