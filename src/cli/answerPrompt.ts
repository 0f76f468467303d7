/**
 * Asking a person at a terminal for MFA answers: a TEXT challenge's prompt, an OPTIONS challenge
 * as a numbered list, an IMAGE challenge's picture saved to a file (owner-only) whose path is
 * printed. What is typed is not echoed and goes nowhere but the resume request.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MxChallenge } from '../api/types.js';

/** Reads one line from the terminal without showing it. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const input = process.stdin;
    process.stderr.write(prompt);
    let typed = '';
    input.setRawMode?.(true);
    input.resume();
    input.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003') return done(new Error('interrupted'));
        if (ch === '\u007f') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    const done = (error: Error | null) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    input.on('data', onData);
  });
}

/**
 * Saves an IMAGE challenge's picture to a private file and returns its path.
 *
 * @example
 * const path = saveChallengeImage(challenge); // /tmp/mx-lifecycle-mfa-…/CRD-….png
 */
export function saveChallengeImage(challenge: MxChallenge): string | null {
  const data = challenge.image_data?.replace(/^data:[^,]*,/, '');
  if (!data) return null;
  const dir = mkdtempSync(join(tmpdir(), 'mx-lifecycle-mfa-'));
  const path = join(dir, `${challenge.guid.replace(/[^A-Za-z0-9_-]/g, '_')}.png`);
  writeFileSync(path, Buffer.from(data, 'base64'), { mode: 0o600 });
  return path;
}

/**
 * Asks for the answer of each challenge at the terminal; an OPTIONS answer is the option's number.
 *
 * @example
 * const answers = await askAtTerminal('cust-1-mxbank', challenges); // [{ guid, value }]
 */
export async function askAtTerminal(memberId: string, challenges: readonly MxChallenge[]): Promise<{ guid: string; value: string }[]> {
  const answers: { guid: string; value: string }[] = [];
  process.stderr.write(`member ${memberId}:\n`);
  for (const challenge of challenges) {
    const options = challenge.options ?? [];
    process.stderr.write(`  ${challenge.label ?? challenge.field_name ?? challenge.type}\n`);
    if (challenge.image_data) process.stderr.write(`  the image is in ${saveChallengeImage(challenge) ?? '(no image)'}\n`);
    options.forEach((option, i) => process.stderr.write(`    ${i + 1}. ${option.label}\n`));
    for (;;) {
      const typed = (await readHidden(options.length > 0 ? `  number (1-${options.length}): ` : '  answer (not shown): ')).trim();
      if (options.length === 0) {
        answers.push({ guid: challenge.guid, value: typed });
        break;
      }
      const chosen = options[Number(typed) - 1];
      if (chosen && /^\d+$/.test(typed)) {
        answers.push({ guid: challenge.guid, value: chosen.value });
        break;
      }
    }
  }
  return answers;
}
