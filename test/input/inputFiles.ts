/** Writing input files into a fresh folder and reading every record of one back, for the input tests. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readInput, type InputRecord } from '../../src/input/index.js';

/** A writer of files into a fresh temporary folder: `(name, text)` returns the path. */
export function inputFiles(prefix: string): (name: string, text: string | Buffer) => string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return (name, text) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
}

/** Every record `readInput` gives for `path`, in order. */
export async function collect(path: string): Promise<InputRecord[]> {
  const out: InputRecord[] = [];
  for await (const record of readInput(path)) out.push(record);
  return out;
}
