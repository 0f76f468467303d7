export {
  createRuntime,
  DEFAULT_LEASE_MS,
  defaultOwnerOf,
  type JobStatus,
  type RunResult,
  type Runtime,
  type RuntimeEvent,
  type RuntimeEventMap,
  type RuntimeHeld,
  type RuntimeOptions,
} from './runtime.js';
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
export { restoreItem, storedOutcome, unreadableRow, type RestoreOptions, type RestoreResult, type UnreadableRowError } from './restore.js';
export {
  createMemoryStore,
  createPostgresStore,
  createSqliteStore,
  openStore,
  isStoreError,
  type PostgresStoreOptions,
  type SqliteStoreOptions,
  type StoreError,
} from './store/index.js';
export {
  FINAL_ITEM_STATES,
  type ClaimOptions,
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
} from './store.js';
export {
  callbackPayloadOf,
  parseCallbackPayload,
  type CallbackOrigin,
  type MemberRef,
  type WokenMember,
} from './wake.js';
