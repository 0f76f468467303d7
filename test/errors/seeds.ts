import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const SEEDS_DIR = fileURLToPath(new URL('../../../shared/spec/seeds/', import.meta.url));

/** The text of a seed document, found by its number (`'000'` … `'004'`). */
export function seedText(number: string): { file: string; text: string } {
  const file = readdirSync(SEEDS_DIR).find((name) => name.startsWith(`${number}_`));
  if (!file) throw new Error(`no seed document ${number} in ${SEEDS_DIR}`);
  return { file, text: readFileSync(`${SEEDS_DIR}${file}`, 'utf8') };
}
