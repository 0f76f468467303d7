import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SPEC_DIR } from './specDir.js';

const SEEDS_DIR = join(SPEC_DIR, 'seeds');

/** The text of a seed document, found by its number (`'000'` … `'004'`). */
export function seedText(number: string): { file: string; text: string } {
  const file = readdirSync(SEEDS_DIR).find((name) => name.startsWith(`${number}_`));
  if (!file) throw new Error(`no seed document ${number} in ${SEEDS_DIR}`);
  return { file, text: readFileSync(join(SEEDS_DIR, file), 'utf8') };
}
