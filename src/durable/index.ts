export {
  createRuntime,
  defaultOwnerOf,
  type JobStatus,
  type RefreshOptions,
  type RefreshResult,
  type RunResult,
  type Runtime,
  type RuntimeEvent,
  type RuntimeEventMap,
  type RuntimeDefaults,
  type RuntimeHeld,
  type RuntimeOptions,
} from './runtime.js';
export { DEFAULT_LEASE_MS, defaultRuntimeOptions } from './runtimeDefaults.js';
export {
  answersFor,
  createLifecycleEffects,
  credentialValuesFor,
  type AnswerSource,
  type ChallengeRequest,
  type CredentialRequest,
  type CredentialsSource,
} from './effects.js';
export { summarise, type SnapshotSummary } from './programs.js';
export type { PauseState } from './pauseWatch.js';
export { isRefreshProblem, planRefresh, refreshInputOf, refreshJobIdOf, type RefreshPlan, type RefreshPlanOptions, type RefreshProblem } from './refreshPlan.js';
export { refreshTally, type RefreshTally } from './refreshTally.js';
export { restoreItem, storedOutcome, unreadableRow, type RestoreOptions, type RestoreResult, type UnreadableRowError } from './restore.js';
export {
  createMemoryStore,
  createPostgresStore,
  createSqliteStore,
  openStore,
  isStoreError,
  endUserEventKey,
  type PostgresStoreOptions,
  type SqliteStoreOptions,
  type StoreError,
} from './store/index.js';
export {
  FINAL_ITEM_STATES,
  type ClaimOptions,
  type EndUserEventCounts,
  type EndUserEventKind,
  type FinalItemState,
  type ItemState,
  type ItemUpdate,
  type JobKind,
  type JobRecord,
  type ListOptions,
  type NewItem,
  type ResetLease,
  type SnapshotStore,
  type StoredItem,
  type UnreadableValue,
} from './store/contract.js';
export {
  decodeEndUserPayload,
  encodeEndUserPayload,
  jobHashOf,
  payloadNamesJob,
  MAX_END_USER_PAYLOAD_CHARS,
  type EndUserPayload,
} from './endUserPayload.js';
export { createEndUserEffects, endUserMemberOf } from './endUserEffects.js';
export {
  endUserTally,
  findEndUserConnection,
  listEndUserConnections,
  type EndUserConnection,
  type EndUserConnectionRow,
  type EndUserKind,
  type EndUserTally,
} from './endUserConnections.js';
export {
  callbackPayloadOf,
  parseCallbackPayload,
  type CallbackOrigin,
  type MemberRef,
  type WokenMember,
} from './wake.js';
export type { ConcurrencySetting } from './slots.js';
export { DEFAULT_HISTORY_LIMIT, type HistoryStep, type ItemReset } from './store/contract.js';
export { parseStoreUrl } from './store/openStore.js';
