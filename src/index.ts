/**
 * @module
 * mx-lifecycle: the MX user and member lifecycle (onboard, aggregate, MFA, offboard) as durable
 * XState machines driven by classified API errors. This entry holds what a program needs to run
 * jobs: the client, the runtime and its stores, job input, webhooks and error classification. The
 * statecharts live in `mx-lifecycle/machines`, the local MX sandbox in `mx-lifecycle/sandbox`,
 * the dashboard, metrics and logs in `mx-lifecycle/observe`, and stable end-user links in
 * `mx-lifecycle/links`.
 *
 * ```ts
 * import { createMxClient, createRuntime, createSqliteStore, readInput, type CustomerInput } from 'mx-lifecycle';
 *
 * const client = createMxClient({ baseUrl: 'https://int-api.mx.com', clientId, apiKey, auth: 'token' });
 * const store = createSqliteStore({ path: 'jobs.sqlite' });
 * const runtime = createRuntime({ store, client, concurrency: 4 });
 * const customers: CustomerInput[] = [];
 * for await (const record of readInput('customers.jsonl')) if ('customer' in record) customers.push(record.customer);
 * await runtime.submit('march', customers);
 * const result = await runtime.run('march'); // result.counts: { done: 998, failed: 2, … }
 * await runtime.close();
 * ```
 */

// Classified errors
export {
  API_ERROR_KINDS,
  classify,
  createClassifier,
  defaultClassifyOptions,
  dispositionOf,
  isApiError,
  isRetryable,
  redact,
  type ApiError,
  type ApiErrorKind,
  type ApiErrorOf,
  type ClassifyOptions,
  type DialectOption,
  type Disposition,
} from './errors/index.js';

// The MX Platform client
export {
  API_VERSIONS,
  createMxClient,
  defaultMxClientOptions,
  type ApiVersion,
  type MxClient,
  type MxClientOptions,
  type MxMember,
  type MxUser,
} from './api/index.js';
export type { ClientEvent } from './http/index.js';

// The durable runtime and its stores
export {
  createMemoryStore,
  createPostgresStore,
  createRuntime,
  defaultRuntimeOptions,
  createSqliteStore,
  isStoreError,
  openStore,
  listEndUserConnections,
  type AnswerSource,
  type ChallengeRequest,
  type CredentialRequest,
  type CredentialsSource,
  type ItemState,
  type JobRecord,
  type JobStatus,
  type PostgresStoreOptions,
  type RefreshOptions,
  type RefreshResult,
  type RunResult,
  type Runtime,
  type RuntimeEvent,
  type RuntimeOptions,
  type SnapshotStore,
  type SqliteStoreOptions,
  type StoredItem,
  type StoreError,
} from './durable/index.js';

// Webhooks from MX: wake waiting members early
export {
  createWebhookHandler,
  createWebhookReceiver,
  WEBHOOK_POLL_INTERVAL_MS,
  type WebhookHandlerOptions,
  type WebhookReceiver,
  type WebhookReceiverOptions,
} from './webhooks/index.js';

// Job input
export { checkInputFile, readInput, validateCustomer, type CustomerInput } from './input/index.js';
