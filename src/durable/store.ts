/**
 * The store contract moved to ./store/contract.ts, beside the backends that keep it. This re-export
 * stays only for src/cli, which imports the old path until its reorganisation lands; other code
 * imports ./store/contract.js inside src/durable, or ../durable/index.js from another folder.
 */
export * from './store/contract.js';
