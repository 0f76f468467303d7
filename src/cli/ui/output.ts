/**
 * How the job commands speak: stdout for the summary, stderr for progress and problems, every
 * write through a scrubber that removes the API key (a last guard: nothing should carry it), and
 * one way out for the unexpected: one line and exit 70, the stack only with DEBUG=mx-lifecycle.
 */

/** Every exit code the commands use, in one table (the README's "Exit codes" lists the same). */
export const EXIT_OK = 0;
/** Some customers need action, failed or were cancelled, or input rows were skipped. */
export const EXIT_ATTENTION = 1;
/** The job halted on a systemic error; an unreachable Redis is one too. */
export const EXIT_HALTED = 2;
export const EXIT_USAGE = 64;
/** A store, Redis or another service the run needs cannot be reached (sysexits' EX_UNAVAILABLE). */
export const EXIT_UNAVAILABLE = 69;
/** An unexpected failure (sysexits' EX_SOFTWARE). */
export const EXIT_SOFTWARE = 70;
/** Another process runs this job on the same SQLite store: try again later (EX_TEMPFAIL). */
export const EXIT_BUSY = 75;
export const EXIT_INTERRUPTED = 130;

export interface Output {
  out(text: string): void;
  err(text: string): void;
  scrub(text: string): string;
}

/**
 * Writes to the process's streams with known secrets replaced by `[REDACTED]`.
 *
 * @example
 * const io = createOutput([settings.apiKey]);
 * io.err('line 3: email is not an e-mail address');
 */
export function createOutput(secrets: readonly string[]): Output {
  // Very short values would scrub ordinary words; the client rejects keys that short anyway in practice.
  const known = secrets.filter((s) => s.length >= 6);
  const scrub = (text: string): string => known.reduce((t, secret) => t.split(secret).join('[REDACTED]'), text);
  return {
    out: (text) => void process.stdout.write(scrub(text)),
    err: (text) => void process.stderr.write(scrub(text)),
    scrub,
  };
}

/** A usage problem (plain `{ usage }`) or a parseArgs error: the dispatcher reports those as exit 64. */
function isUsageError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (typeof (error as { usage?: unknown }).usage === 'string') return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/** `DEBUG=mx-lifecycle` (or `DEBUG=*`) shows the stack of an unexpected error. */
export const debugging = (): boolean => (process.env.DEBUG ?? '').split(/[\s,]+/).some((name) => name === 'mx-lifecycle' || name === '*');

/**
 * Runs a command; usage problems go on to the dispatcher (exit 64), anything else unexpected is
 * one line on stderr and exit 70.
 *
 * @example
 * export const command = { summary, usage, run: guarded('onboard', runOnboard) };
 */
export function guarded(name: string, run: (argv: string[]) => Promise<number>): (argv: string[]) => Promise<number> {
  return async (argv) => {
    try {
      return await run(argv);
    } catch (error) {
      if (isUsageError(error)) throw error;
      const message = error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
      const line = (message ?? 'unknown').split('\n')[0];
      if (debugging() && error instanceof Error && error.stack) {
        process.stderr.write(`mx-lifecycle ${name}: unexpected error: ${line}\n${error.stack}\n`);
      } else {
        process.stderr.write(`mx-lifecycle ${name}: unexpected error: ${line} (DEBUG=mx-lifecycle shows the stack)\n`);
      }
      return EXIT_SOFTWARE;
    }
  };
}

/**
 * Makes sure the process ends once a command is done, even if a connection someone else holds
 * open (a browser on the inspector page) would keep it alive. The timer does not itself hold the
 * process: when nothing else does, the process ends before it fires.
 *
 * @example
 * await inspector.stop();
 * exitSoon();
 */
export function exitSoon(ms = 1_500): void {
  setTimeout(() => process.exit(), ms).unref();
}
