/**
 * mx-lifecycle: the MX user and member lifecycle as durable XState machines driven by classified
 * API errors. The statecharts themselves are exported from `mx-lifecycle/machines`.
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
} from './errors/index.js';

// The MX Platform client
export {
  checkExternalId,
  createMxClient,
  defaultMxClientOptions,
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
  isStoreError,
  openStore,
  type AnswerSource,
  type ChallengeRequest,
  type CredentialRequest,
  type CredentialsSource,
  type FinalItemState,
  type ItemState,
  type JobKind,
  type JobRecord,
  type JobStatus,
  type PostgresStoreOptions,
  type RunResult,
  type Runtime,
  type RuntimeEvent,
  type RuntimeEventMap,
  type RuntimeOptions,
  type SnapshotStore,
  type SqliteStoreOptions,
  type StoredItem,
  type StoreError,
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

// The local MX sandbox
export {
  CORRECT_ANSWER,
  DEFAULT_CLIENT,
  defaultSandboxOptions,
  FAULT_KINDS,
  MXBANK_PASSWORDS,
  MXBANK_USERNAME,
  startSandbox,
  type FaultKind,
  type Sandbox,
  type SandboxClient,
  type SandboxOptions,
  type SandboxMember,
  type SandboxState,
  type SandboxStats,
  type SandboxUser,
} from './sandbox/index.js';
