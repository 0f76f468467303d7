/**
 * The link server of one CLI run (`--links-port`): started beside the runtime, its address and
 * the public base printed (never a token or an MX URL), and a line of what it served when the run
 * ends. The flags are read here too, so a job command takes them by spreading `LINK_OPTIONS`.
 */
import type { MxClient } from '../../api/index.js';
import type { SnapshotStore } from '../../durable/index.js';
import {
  createLinkKeys, createStoreLinkBackend, DEFAULT_LINKS_HOST, LINK_SECRET_ENV, mxRedirectPolicy, publicUrlProblem, startLinkServer,
  type LinkEvent, type LinkKeys, type LinkServer,
} from '../../links/index.js';
import type { UsageProblem } from '../commands/command.js';
import type { Output } from '../ui/output.js';
import { defined } from '../../_internals/index.js';

/** What `--links-port`, `--links-host` and `--public-url` ask for. */
export interface LinkSettings {
  port: number;
  host: string;
  /** The base the links are written with; left out, the server's own address (once its port is known). */
  publicUrl?: string;
  keys: LinkKeys;
}

export const LINK_OPTIONS = { 'links-port': { type: 'string' }, 'links-host': { type: 'string' }, 'public-url': { type: 'string' } } as const;

const problem = (usage: string): UsageProblem => ({ usage });

/**
 * The link server the flags ask for, or undefined without `--links-port`.
 *
 * @example
 * linkSettingsOf({ 'links-port': '8080', 'public-url': 'https://connect.example.com' }, process.env)
 */
export function linkSettingsOf(
  values: { 'links-port'?: string | undefined; 'links-host'?: string | undefined; 'public-url'?: string | undefined },
  env: NodeJS.ProcessEnv,
): LinkSettings | undefined {
  const raw = values['links-port'];
  if (raw === undefined) {
    const stray = (['links-host', 'public-url'] as const).find((n) => values[n] !== undefined);
    if (stray) throw problem(`--${stray} needs --links-port`);
    return undefined;
  }
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) throw problem(`--links-port must be a port number from 0 to 65535, not '${raw}'`);
  const host = values['links-host'] ?? DEFAULT_LINKS_HOST;
  if (host === '' || /[\s/]/.test(host)) throw problem('--links-host must be a host name or an IP address');
  const publicUrl = values['public-url'];
  const urlProblem = publicUrl === undefined ? null : publicUrlProblem(publicUrl);
  if (urlProblem !== null) throw problem(`--public-url ${urlProblem}`);
  const keys = createLinkKeys(env[LINK_SECRET_ENV]);
  if ('code' in keys) throw problem(keys.message);
  return { port, host, keys, ...defined({ publicUrl }) };
}

/** Counts of what the server answered, for the closing line. */
function tallyOf(): { add(event: LinkEvent): void; line(): string } {
  let redirected = 0;
  let refused = 0;
  let failed = 0;
  return {
    add(event) {
      if (event.type === 'link.redirected') redirected += 1;
      else if (event.type === 'link.refused') refused += 1;
      else failed += 1;
    },
    line: () => `links: ${redirected} opened, ${failed} could not reach MX (the end user was asked to try again), ${refused} refused`,
  };
}

/**
 * Starts the link server `settings` asks for (none without it); a port that cannot be had is a
 * usage problem.
 *
 * @example
 * const links = await startJobLinks(settings.links, { store, client, jobId: 'march', baseUrl }, io, 'onboard');
 * // ... run the job ...
 * await links?.stop();
 */
export async function startJobLinks(
  settings: LinkSettings | undefined,
  job: { store: SnapshotStore; client: Pick<MxClient, 'requestWidgetUrl' | 'readOauthWindowUri'>; jobId: string; baseUrl: string },
  io: Output,
  command: string,
): Promise<{ stop(): Promise<void> } | null> {
  if (!settings) return null;
  const tally = tallyOf();
  let server: LinkServer;
  try {
    server = await startLinkServer({
      port: settings.port, host: settings.host, keys: settings.keys,
      servesJob: (id) => id === job.jobId,
      backend: createStoreLinkBackend({ store: job.store, client: job.client }),
      redirects: mxRedirectPolicy(job.baseUrl),
      onEvent: (event) => {
        tally.add(event);
        if (event.type === 'link.mintFailed') io.err(`mx-lifecycle ${command}: links: MX could not mint a URL for ${event.customerId} (${event.error.kind}); the end user was asked to try again shortly\n`);
      },
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'needs privileges' : `cannot be listened on (${String(code ?? error)})`;
    throw problem(`--links-port ${settings.port} on ${settings.host} ${why}: pick another port`);
  }
  const publicUrl = settings.publicUrl ?? server.url;
  io.err(`mx-lifecycle ${command}: links: serving on ${server.url}, written with ${publicUrl} (mx-lifecycle links --job ${job.jobId} --public-url ${publicUrl} writes them)\n`);
  return {
    async stop() {
      io.err(`mx-lifecycle ${command}: ${tally.line()}\n`);
      await server.close();
    },
  };
}
