/**
 * Asking a person at a terminal for MFA answers: a TEXT challenge's prompt, an OPTIONS challenge
 * (or IMAGE_OPTIONS challenge) as a numbered list, each picture of an IMAGE challenge saved to a file (owner-only) whose path is
 * printed. What is typed is not echoed and goes nowhere but the resume request.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { MxChallenge } from '../../api/index.js';

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

/** Writes one base64 picture (a bare string or a `data:` URI) to a private file. */
function saveImage(dir: string, name: string, data: string | null | undefined): string | null {
  const base64 = data?.replace(/^data:[^,]*,/, '');
  if (!base64) return null;
  const path = join(dir, `${name.replace(/[^A-Za-z0-9_-]/g, '_')}.png`);
  writeFileSync(path, Buffer.from(base64, 'base64'), { mode: 0o600 });
  return path;
}

/**
 * Saves an IMAGE challenge's pictures to a private directory: the IMAGE_DATA picture, and each
 * IMAGE_OPTIONS choice numbered as it is listed (`…-1.png`, `…-2.png`). Returns the paths, `image`
 * for the challenge's own picture and `options[i]` for choice i (null where there is none).
 *
 * @example
 * const saved = saveChallengeImages(challenge); // { image: '/tmp/mx-lifecycle-mfa-…/CRD-….png', options: [] }
 */
export function saveChallengeImages(challenge: MxChallenge): { image: string | null; options: (string | null)[] } {
  const options = challenge.options ?? [];
  if (!challenge.image_data && !options.some((o) => o.data_uri)) return { image: null, options: options.map(() => null) };
  const dir = mkdtempSync(join(tmpdir(), 'mx-lifecycle-mfa-'));
  return {
    image: saveImage(dir, challenge.guid, challenge.image_data),
    options: options.map((option, i) => saveImage(dir, `${challenge.guid}-${i + 1}`, option.data_uri)),
  };
}

/**
 * Saves an IMAGE challenge's picture to a private file and returns its path.
 *
 * @example
 * const path = saveChallengeImage(challenge); // /tmp/mx-lifecycle-mfa-…/CRD-….png
 */
export function saveChallengeImage(challenge: MxChallenge): string | null {
  return challenge.image_data ? saveChallengeImages({ ...challenge, options: [] }).image : null;
}

/**
 * What a person is shown of one challenge: its question, where its picture is, and its choices
 * numbered (an IMAGE_OPTIONS choice with the file its picture was saved to).
 *
 * @example
 * challengeLines(challenge, saveChallengeImages(challenge)); // ['  Pick your image\n', '    1. IMAGE_1 (image in /tmp/…-1.png)\n']
 */
export function challengeLines(challenge: MxChallenge, saved: { image: string | null; options: (string | null)[] }): string[] {
  const lines = [`  ${challenge.label ?? challenge.field_name ?? challenge.type}\n`];
  if (challenge.image_data) lines.push(`  the image is in ${saved.image ?? '(no image)'}\n`);
  (challenge.options ?? []).forEach((option, i) => lines.push(`    ${i + 1}. ${option.label}${saved.options[i] ? ` (image in ${saved.options[i]})` : ''}\n`));
  return lines;
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
    await withSavedImages(challenge, async (saved) => {
      process.stderr.write(challengeLines(challenge, saved).join(''));
      for (;;) {
        const typed = (await readHidden(options.length > 0 ? `  number (1-${options.length}): ` : '  answer (not shown): ')).trim();
        if (options.length === 0) {
          answers.push({ guid: challenge.guid, value: typed });
          return;
        }
        const chosen = options[Number(typed) - 1];
        if (chosen && /^\d+$/.test(typed)) {
          answers.push({ guid: challenge.guid, value: chosen.value });
          return;
        }
      }
    });
  }
  return answers;
}

/**
 * Runs `use` with the challenge's pictures saved, and removes them when it is done (answered,
 * refused or interrupted): a picture of an MFA question is not left in the temporary folder.
 *
 * @example
 * await withSavedImages(challenge, async (saved) => show(challengeLines(challenge, saved)));
 */
export async function withSavedImages<T>(challenge: MxChallenge, use: (saved: { image: string | null; options: (string | null)[] }) => Promise<T>): Promise<T> {
  const saved = saveChallengeImages(challenge);
  try {
    return await use(saved);
  } finally {
    const any = saved.image ?? saved.options.find((path) => path !== null) ?? null;
    if (any !== null) rmSync(dirname(any), { recursive: true, force: true });
  }
}
