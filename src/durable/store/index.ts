export { createMemoryStore } from './memory.js';
export { createSqliteStore, defaultSqliteStoreOptions, type SqliteStoreOptions } from './sqlite.js';
export { createPostgresStore, defaultPostgresStoreOptions, type PostgresStoreOptions } from './postgres.js';
export { openStore } from './openStore.js';
export { isStoreError, type StoreError, type StoreErrorCode } from './storeError.js';
export { SQLITE_SCHEMA_VERSION } from './sqliteSchema.js';
export { PG_SCHEMA_VERSION } from './postgresSchema.js';
export { endUserEventKey } from './endUserEvents.js';
