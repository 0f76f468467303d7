/**
 * The lines of an input file, read as bytes: a line that is not valid UTF-8 is flagged rather than
 * silently given U+FFFD in place of its bad bytes (a password `pass\xc3\x28word` must never be sent
 * as `pass\uFFFD(word`), and a line longer than the row limit is skipped over without being held.
 */
import { createReadStream } from 'node:fs';

export interface InputLine {
  line: number;
  /** The line's text; with `invalidUtf8`, the bad bytes show as U+FFFD. Empty when `tooLong`. */
  text: string;
  invalidUtf8: boolean;
  tooLong: boolean;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const lenient = new TextDecoder('utf-8', { fatal: false });

function decode(line: number, bytes: Buffer, maxBytes: number): InputLine {
  const body = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, bytes.length - 1) : bytes;
  if (body.length > maxBytes) return { line, text: '', invalidUtf8: false, tooLong: true };
  try {
    return { line, text: strict.decode(body), invalidUtf8: false, tooLong: false };
  } catch {
    return { line, text: lenient.decode(body), invalidUtf8: true, tooLong: false };
  }
}

/**
 * Streams the lines of `path` (LF or CRLF), numbered from 1.
 *
 * @example
 * for await (const { line, text, invalidUtf8 } of inputLines('customers.jsonl', 1 << 20)) …
 */
export async function* inputLines(path: string, maxBytes: number): AsyncGenerator<InputLine> {
  let line = 0;
  let parts: Buffer[] = [];
  let length = 0;
  let skipping = false;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const end = chunk.indexOf(0x0a, start);
      const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
      if (!skipping) {
        length += piece.length;
        if (length > maxBytes + 1) {
          skipping = true;
          parts = [];
        } else {
          parts.push(piece);
        }
      }
      if (end === -1) break;
      line += 1;
      if (skipping) yield { line, text: '', invalidUtf8: false, tooLong: true };
      else yield decode(line, parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts), maxBytes);
      parts = [];
      length = 0;
      skipping = false;
      start = end + 1;
    }
  }
  if (skipping) yield { line: line + 1, text: '', invalidUtf8: false, tooLong: true };
  else if (length > 0) yield decode(line + 1, Buffer.concat(parts), maxBytes);
}
