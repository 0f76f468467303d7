/**
 * The records of a CSV file, found by their bytes: a record ends at a line feed outside quotes, so a
 * quoted cell may hold line breaks (RFC 4180, section 2.6). Each record is then parsed on its own
 * by csv-parse, which is why a broken record stays one bad row instead of ending the file.
 *
 * Why the records are cut here and not inside csv-parse: its `max_record_size` is an exception that
 * ends the parse, and with `skip_records_with_error` the parser drops the rest of the chunk it was
 * reading (measured with csv-parse 7.0.3: a 300 kB record at line 3 lost every later row). Cutting
 * first keeps the row limit a per-row problem and never holds more than the limit of one record.
 */
import { createReadStream } from 'node:fs';

export interface CsvRecord {
  /** The line the record starts on, counted from 1. */
  line: number;
  /** The line it ends on (later than `line` when a quoted cell holds line breaks). */
  lastLine: number;
  /** The record's bytes, without its line ending; empty when `tooLong` or `unterminated`. */
  bytes: Buffer;
  tooLong: boolean;
  /** A quoted cell was still open at the end of the file. */
  unterminated: boolean;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Where the scanner is in a record: what a quote or a comma means depends on it. */
const enum At {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted cell: `""` is a quote, anything else closed the cell. */
  QuoteInQuoted,
}

/**
 * Streams the records of the CSV file at `path`. A record longer than `maxBytes` is skipped over
 * without being held and comes out with `tooLong`.
 *
 * @example
 * for await (const record of csvRecords('customers.csv', 1 << 20)) console.log(record.line, record.bytes.length);
 */
export async function* csvRecords(path: string, maxBytes: number): AsyncGenerator<CsvRecord> {
  let line = 1;
  let start = 1;
  let at = At.FieldStart;
  let parts: Buffer[] = [];
  let length = 0;
  let tooLong = false;
  const finish = (): CsvRecord => {
    let bytes = tooLong ? Buffer.alloc(0) : Buffer.concat(parts, length);
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    const record = { line: start, lastLine: line, bytes, tooLong: tooLong || bytes.length > maxBytes, unterminated: false };
    parts = [];
    length = 0;
    tooLong = false;
    at = At.FieldStart;
    return record;
  };
  const keep = (piece: Buffer): void => {
    if (tooLong || piece.length === 0) return;
    length += piece.length;
    // One byte of slack for the carriage return of a CRLF ending, which is not part of the row.
    if (length > maxBytes + 1) {
      tooLong = true;
      parts = [];
    } else {
      parts.push(piece);
    }
  };
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let i = 0; i < chunk.length; i += 1) {
      const byte = chunk[i] as number;
      if (at === At.QuoteInQuoted) {
        if (byte === QUOTE) {
          at = At.Quoted;
          continue;
        }
        at = At.Unquoted;
      }
      if (at === At.Quoted) {
        if (byte === QUOTE) at = At.QuoteInQuoted;
        else if (byte === LF) line += 1;
        continue;
      }
      if (byte === QUOTE && at === At.FieldStart) at = At.Quoted;
      else if (byte === COMMA) at = At.FieldStart;
      else if (byte === LF) {
        keep(chunk.subarray(from, i));
        from = i + 1;
        yield finish();
        line += 1;
        start = line;
      } else at = At.Unquoted;
    }
    keep(chunk.subarray(from));
  }
  if (at === At.Quoted) {
    yield { line: start, lastLine: line, bytes: Buffer.alloc(0), tooLong: false, unterminated: true };
  } else if (length > 0 || tooLong) {
    yield finish();
  }
}
