/**
 * mx-lifecycle: the MX user and member lifecycle as durable XState machines driven by classified
 * API errors. The statecharts themselves are exported from `mx-lifecycle/machines`, and the local MX
 * sandbox for rehearsals from `mx-lifecycle/sandbox`.
 */

// Classified errors
export {
  API_ERROR_KINDS,
  classify,
  classifyNetworkError,
  createClassifier,
  defaultClassifyOptions,
  dispositionOf,
  isApiError,
  isRetryable,
  isSystemic,
  parseRetryAfter,
  REDACTED,
  redact,
  redactExcerpt,
  redactPath,
  type ApiError,
  type ApiErrorKind,
  type ApiErrorOf,
  type ClassifierRule,
  type ClassifyOptions,
  type Dialect,
  type DialectOption,
  type ErrorDialect,
  type Disposition,
  type ErrorScope,
  type FieldError,
  type HttpOutcome,
  type RedactedExchange,
  type UnreadableCause,
  type UnreadableColumn,
} from './errors/index.js';

// The MX Platform client
export {
  API_VERSIONS,
  checkExternalId,
  createMxClient,
  defaultMxClientOptions,
  type ApiVersion,
  type CallOptions,
  type ChallengeAnswer,
  type ConnectionStatus,
  type CreateMemberInput,
  type CreateUserInput,
  type CredentialValue,
  type MxChallenge,
  type MxChallengeOption,
  type MxClient,
  type MxClientInit,
  type MxClientOptions,
  type MxCredentialField,
  type MxMember,
  type MxMemberStatus,
  type MxUser,
  type ObservableMxClient,
  type RateOptions,
  type UpdateMemberInput,
} from './api/index.js';
export type {
  ClientEvent,
  ClientEventMap,
  ClientEvents,
  ClientEventType,
  Disposable,
  RateLimitedEvent,
  RequestEvent,
  ResponseEvent,
  RetriedEvent,
  TokenRefreshedEvent,
} from './http/index.js';

// The durable runtime and its stores
export {
  createMemoryStore,
  createPostgresStore,
  createRuntime,
  createSqliteStore,
  credentialValuesFor,
  FINAL_ITEM_STATES,
  isRefreshProblem,
  isStoreError,
  openStore,
  refreshJobIdOf,
  refreshTally,
  storedOutcome,
  type AnswerSource,
  type ChallengeRequest,
  type CredentialRequest,
  type CredentialsSource,
  type FinalItemState,
  type ItemState,
  type JobKind,
  type JobRecord,
  type JobStatus,
  type PauseState,
  type PostgresStoreOptions,
  type RefreshOptions,
  type RefreshProblem,
  type RefreshResult,
  type RefreshTally,
  type RunResult,
  type Runtime,
  type RuntimeEvent,
  type RuntimeEventMap,
  type RuntimeHeld,
  type RuntimeOptions,
  type SnapshotStore,
  type SqliteStoreOptions,
  type StoredItem,
  type StoreError,
  type UnreadableValue,
} from './durable/index.js';

// Webhooks from MX: wake waiting members early
export {
  createWebhookHandler,
  createWebhookReceiver,
  DEFAULT_WEBHOOK_HOST,
  DEFAULT_WEBHOOK_PATH,
  WEBHOOK_POLL_INTERVAL_MS,
  type DeliveryOutcome,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookReceiver,
  type WebhookReceiverOptions,
  type WebhookStats,
  type WebhookTarget,
} from './webhooks/index.js';
export { callbackPayloadOf, type MemberRef, type WokenMember } from './durable/index.js';
export {
  encodeEndUserPayload, decodeEndUserPayload, findEndUserConnection, listEndUserConnections, endUserTally,
  type EndUserPayload, type EndUserConnection, type EndUserConnectionRow, type EndUserTally, type EndUserEventKind,
} from './durable/index.js';

// Job input
export {
  checkInputFile,
  readInput,
  validateCustomer,
  type ConnectionInput,
  type CustomerInput,
  type InputFileError,
  type InputProblem,
  type InputRecord,
} from './input/index.js';
