/**
 * The flags `onboard` and `offboard` share, turned into settings: defaults from the input file's
 * name, the environment for the API key, and every bad value reported as one usage line.
 */
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import type { LifecycleOptions } from '../../../machines/index.js';
import type { ConcurrencySetting } from '../../durable/index.js';
import type { JobKind } from '../../durable/index.js';
import { API_VERSIONS, type ApiVersion } from '../../api/_internals/index.js';
import type { DialectOption } from '../../errors/index.js';
import type { UsageProblem } from '../commands/command.js';
import { durationFlag } from './duration.js';
import { DEFAULT_INSPECT_PORT } from './jobFlagTable.js';
import { END_USER_OPTIONS, endUserWaitsOf } from './endUserFlags.js';
import { LINK_OPTIONS, linkSettingsOf, type LinkSettings } from '../job/jobLinks.js';
import { defaultReportOf, defaultStoreOf } from '../job/storeUrl.js';
import { OBSERVE_OPTIONS, observeSettingsOf, type ObserveSettings } from './observeFlags.js';
import { defined } from '../../_internals/index.js';

/** Where the webhook receiver listens and the Basic credentials MX must send (webhookFlags.ts reads them). */
export interface WebhookSettings {
  port: number;
  host: string;
  path: string;
  /** `USER:PASSWORD`; only ever shown scrubbed. */
  auth: string | null;
  /** The OAuth 2 bearer token MX presents; only ever shown scrubbed. */
  bearer?: string | null;
  /** The credentials came from `--webhook-auth`, which `ps` shows to every user of the machine. */
  authOnCommandLine?: boolean;
}

export interface JobSettings {
  kind: JobKind;
  input: string;
  job: string;
  /** The job's name was made from INPUT's file name (no --job), so another file may make the same one. */
  jobFromInput?: boolean;
  /** The store URL as given (or defaulted); may hold a PostgreSQL password, so shown only through `describeStore`. */
  store: string;
  report: string;
  baseUrl: string;
  clientId: string;
  apiKey: string;
  /** True when the key came from `--api-key` rather than `MX_API_KEY`. */
  keyOnCommandLine: boolean;
  auth: 'token' | 'basic';
  apiVersion: ApiVersion;
  dialect: DialectOption;
  redis: string | undefined;
  concurrency: ConcurrencySetting;
  /** Customers live at once, waiting ones included; left out, the runtime's default. */
  maxConcurrency?: number;
  rate: number | undefined;
  timeoutMs: number | undefined;
  /** How long this worker's claim on a customer lasts unrenewed; left out, the runtime's default. */
  leaseMs?: number;
  /** How long outages are waited out before the job halts; left out, the runtime's default (15 min). */
  outageBudgetMs?: number;
  /** Steps each customer's history keeps; left out, what the job has (DEFAULT_HISTORY_LIMIT at first). */
  historyLimit?: number;
  /** The inspector's port, or undefined when `--inspect` was not given. */
  inspectPort: number | undefined;
  json: boolean;
  lifecycle: Partial<LifecycleOptions>;
  /** The webhook receiver to run beside the job (`jobSettingsWithWebhooks`). */
  webhook?: WebhookSettings;
  /** The dashboard and structured logs. */
  observe: ObserveSettings;
  /** The stable-link server to run beside the job (`--links-port`). */
  links?: LinkSettings;
}

export const DIALECTS: readonly DialectOption[] = ['platform', 'auto', 'mx-sso', 'nexus', 'mgx', 'mcc'];
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export const usageProblem = (usage: string): UsageProblem => ({ usage });

/** The parseArgs options of the job flags (the `--webhook-*` ones are split off first: webhookFlags.ts). */
export const JOB_OPTIONS = {
  job: { type: 'string' }, 'base-url': { type: 'string' }, 'client-id': { type: 'string' }, 'api-key': { type: 'string' },
  auth: { type: 'string' }, 'api-version': { type: 'string' }, dialect: { type: 'string' }, store: { type: 'string' }, redis: { type: 'string' },
  concurrency: { type: 'string' }, 'max-concurrency': { type: 'string' }, rate: { type: 'string' }, report: { type: 'string' }, inspect: { type: 'string' },
  json: { type: 'boolean' }, 'poll-interval-ms': { type: 'string' }, 'max-attempts': { type: 'string' }, 'timeout-ms': { type: 'string' },
  'lease-ms': { type: 'string' }, 'history-limit': { type: 'string' }, 'outage-budget': { type: 'string' }, 'mfa-wait': { type: 'string' }, ...END_USER_OPTIONS, ...LINK_OPTIONS, ...OBSERVE_OPTIONS,
} as const;

/** Flags that stand alone or take a port. */
const OPTIONAL_PORT_FLAGS = new Set(['--inspect', '--dashboard']);

/**
 * Lets `--inspect` and `--dashboard` stand alone or take a port: parseArgs has no optional values,
 * so a bare `--inspect` becomes `--inspect=` and a following number becomes its value.
 *
 * @example
 * withOptionalInspectPort(['a.jsonl', '--inspect', '9000']) // ['a.jsonl', '--inspect=9000']
 */
export function withOptionalInspectPort(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (!OPTIONAL_PORT_FLAGS.has(arg)) {
      out.push(arg);
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && /^\d+$/.test(next)) {
      out.push(`${arg}=${next}`);
      i += 1;
    } else {
      out.push(`${arg}=`);
    }
  }
  return out;
}

/**
 * A whole number in a range, or a usage problem naming the flag.
 *
 * @example
 * integerFlag('concurrency', '8', 1, 10_000) // 8
 */
export function integerFlag(flag: string, value: string | undefined, min: number, max: number, orElse = ''): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw usageProblem(`--${flag} must be a whole number from ${min} to ${max}${orElse}, not '${value}'`);
  }
  return n;
}

function positiveFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw usageProblem(`--${flag} must be a positive number, not '${value}'`);
  return n;
}

/**
 * The inspector port `--inspect` names (empty: the default), or undefined without the flag.
 *
 * @example
 * inspectPortOf('') // 8080
 */
export function inspectPortOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (value === '') return DEFAULT_INSPECT_PORT;
  return integerFlag('inspect', value, 1, 65_535);
}

/**
 * A job name from the input file's name.
 *
 * @example
 * jobNameFrom('data/march-cohort.csv', 'offboard') // 'march-cohort-offboard'
 */
export function jobNameFrom(input: string, kind: JobKind): string {
  const stem = basename(input, extname(input)).replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'job';
  const name = stem.slice(0, 90);
  return kind === 'offboard' ? `${name}-offboard` : name;
}

/**
 * Checks a job name given with `--job`.
 *
 * @example
 * checkJobName('march-2025') // 'march-2025'
 */
export function checkJobName(name: string): string {
  if (!JOB_NAME.test(name)) throw usageProblem(`--job must be 1-100 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  return name;
}

function checkBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw usageProblem(`--base-url must be an absolute http(s) URL such as https://int-api.mx.com`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageProblem(`--base-url must be an http:// or https:// URL`);
  if (url.username || url.password) throw usageProblem(`--base-url must not hold credentials; use --client-id and MX_API_KEY`);
  return value.replace(/\/+$/, '');
}

/** How to reach MX: what every command that calls MX needs. */
export type Connection = Pick<JobSettings, 'baseUrl' | 'clientId' | 'apiKey' | 'keyOnCommandLine' | 'auth' | 'apiVersion' | 'dialect' | 'timeoutMs'>;

/** The parseArgs options of the connection flags, for commands that take only those. */
export const CONNECTION_OPTIONS = {
  'base-url': { type: 'string' }, 'client-id': { type: 'string' }, 'api-key': { type: 'string' },
  auth: { type: 'string' }, 'api-version': { type: 'string' }, dialect: { type: 'string' }, 'timeout-ms': { type: 'string' },
} as const;

/**
 * Reads the connection flags (and MX_BASE_URL, MX_CLIENT_ID, MX_API_KEY).
 *
 * @example
 * connectionFromFlags({ 'base-url': 'https://int-api.mx.com' }, process.env).auth // 'basic'
 */
export function connectionFromFlags(values: Partial<Record<keyof typeof CONNECTION_OPTIONS, string>>, env: NodeJS.ProcessEnv): Connection {
  const baseUrl = values['base-url'] ?? env.MX_BASE_URL;
  if (!baseUrl) throw usageProblem(`the MX API URL is missing: pass --base-url URL or set MX_BASE_URL`);
  const clientId = values['client-id'] ?? env.MX_CLIENT_ID;
  if (!clientId) throw usageProblem(`the client id is missing: pass --client-id ID or set MX_CLIENT_ID`);
  if (clientId.includes(':')) throw usageProblem(`--client-id cannot contain ':'`);
  const apiKey = values['api-key'] ?? env.MX_API_KEY;
  if (!apiKey) throw usageProblem(`the API key is missing: set MX_API_KEY (or pass --api-key)`);
  const auth = values.auth ?? 'basic';
  if (auth !== 'token' && auth !== 'basic') throw usageProblem(`--auth must be token or basic, not '${auth}'`);
  const apiVersion = (values['api-version'] ?? 'v20250224') as ApiVersion;
  if (!API_VERSIONS.includes(apiVersion)) throw usageProblem(`--api-version must be ${API_VERSIONS.join(' or ')}, not '${apiVersion}'`);
  const dialect = (values.dialect ?? 'platform') as DialectOption;
  if (!DIALECTS.includes(dialect)) throw usageProblem(`--dialect must be one of ${DIALECTS.join(', ')}`);
  return {
    baseUrl: checkBaseUrl(baseUrl), clientId, apiKey, keyOnCommandLine: values['api-key'] !== undefined, auth, apiVersion, dialect,
    timeoutMs: integerFlag('timeout-ms', values['timeout-ms'], 1, 3_600_000),
  };
}

/**
 * Reads the flags of `onboard`/`offboard`.
 *
 * @example
 * const settings = jobSettingsFromFlags(['customers.jsonl', '--rate', '20'], 'onboard', process.env);
 * settings.job; // 'customers'
 */
export function jobSettingsFromFlags(argv: readonly string[], kind: JobKind, env: NodeJS.ProcessEnv, extra: { inputOptional?: boolean } = {}): JobSettings {
  const { values, positionals } = parseArgs({ args: withOptionalInspectPort(argv), strict: true, allowPositionals: true, options: JOB_OPTIONS });
  const [given, unexpected] = positionals;
  // `retry` runs without INPUT (''): nothing is read, the job's own customers run again.
  const input = given ?? (extra.inputOptional === true && values.job !== undefined ? '' : undefined);
  if (input === undefined) throw usageProblem(`INPUT is missing: give a JSONL or CSV file of customers`);
  if (unexpected !== undefined) throw usageProblem(`unexpected argument '${unexpected}' (only one INPUT file)`);
  const job = values.job === undefined ? jobNameFrom(input, kind) : checkJobName(values.job);
  const store = values.store ?? defaultStoreOf(job);
  const connection = connectionFromFlags(values, env);
  if (values.redis !== undefined && !/^rediss?:\/\//.test(values.redis)) throw usageProblem(`--redis must be a redis:// URL`);
  const pollIntervalMs = integerFlag('poll-interval-ms', values['poll-interval-ms'], 1, 3_600_000);
  const maxAttempts = integerFlag('max-attempts', values['max-attempts'], 0, 100);
  const leaseMs = integerFlag('lease-ms', values['lease-ms'], 1_000, 3_600_000);
  const outageBudgetMs = durationFlag('outage-budget', values['outage-budget']);
  const historyLimit = integerFlag('history-limit', values['history-limit'], 0, 100_000);
  const maxConcurrency = integerFlag('max-concurrency', values['max-concurrency'], 1, 100_000);
  const answerWindowMs = durationFlag('mfa-wait', values['mfa-wait']);
  const links = linkSettingsOf(values, env);
  return {
    kind,
    input,
    job,
    jobFromInput: values.job === undefined && input !== '',
    store,
    report: values.report ?? defaultReportOf(store, job),
    ...connection,
    redis: values.redis,
    concurrency: values.concurrency === 'auto' ? 'auto' : (integerFlag('concurrency', values.concurrency, 1, 10_000, ' or auto') ?? 'auto'),
    ...defined({ maxConcurrency }),
    rate: positiveFlag('rate', values.rate),
    ...defined({ leaseMs, outageBudgetMs, historyLimit }),
    inspectPort: inspectPortOf(values.inspect),
    json: values.json === true,
    observe: observeSettingsOf(values),
    ...defined({ links }),
    lifecycle: {
      ...defined({ pollIntervalMs, maxAttempts, answerWindowMs }),
      ...endUserWaitsOf(values),
    },
  };
}
