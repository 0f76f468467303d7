/**
 * The version of the machines' persisted snapshots, and the migrations that carry an older
 * snapshot forward. XState v5 restores a snapshot only into a machine that has its states: a
 * release that renames or removes a state would leave every customer stored in it unrestorable.
 * The runtime stores this version beside each snapshot; before it restores one, it runs the
 * migrations from the stored version up to this one. A release that renames a state bumps
 * `MACHINES_VERSION` and adds the migration here (`renameState` does the usual one).
 */

/** A persisted snapshot as the store gives it back: plain JSON. */
export type PersistedSnapshot = Record<string, unknown>;

/** Moves a snapshot of version `n - 1` to version `n`; it must not keep a reference to its argument's parts it changed. */
export type SnapshotMigration = (snapshot: PersistedSnapshot) => PersistedSnapshot;

export interface MachineVersions {
  /** The version the machines of this release write. */
  version: number;
  /** `migrations[n]` moves a snapshot from version `n - 1` to `n`. Entries are never edited once released. */
  migrations: Readonly<Record<number, SnapshotMigration>>;
}

/** The version of the onboarding, offboarding, user and member machines' snapshots. */
export const MACHINES_VERSION = 1;

/**
 * The machines of this release and their migrations. None yet: version 1 is the first version
 * that was stored. A snapshot stored without a version (before versions were kept) is version 1.
 */
export const machineVersions: MachineVersions = { version: MACHINES_VERSION, migrations: {} };

/** The version a row stored without one was written with. */
export const UNVERSIONED = 1;

export type MigrationResult =
  | { ok: true; snapshot: PersistedSnapshot; from: number }
  | { ok: false; cause: 'newer_machines' | 'bad_shape'; message: string; from: number };

const isObject = (value: unknown): value is PersistedSnapshot =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Brings a stored snapshot of version `from` (`null`: stored before versions were kept) to
 * `versions.version`. Refuses a snapshot that is not an object, one written by newer machines
 * (this release cannot know their states), a version no migration leads from, and a migration
 * that throws.
 *
 * @example
 * ```ts
 * const migrated = migrateSnapshot(stored.snapshot, stored.machineVersion, machineVersions);
 * if (migrated.ok) createActor(machine, { snapshot: migrated.snapshot });
 * ```
 */
export function migrateSnapshot(snapshot: unknown, from: number | null, versions: MachineVersions = machineVersions): MigrationResult {
  const version = from ?? UNVERSIONED;
  if (!isObject(snapshot)) {
    return { ok: false, cause: 'bad_shape', from: version, message: `the stored snapshot is ${Array.isArray(snapshot) ? 'an array' : typeof snapshot === 'object' ? 'null' : `a ${typeof snapshot}`}, not an object` };
  }
  if (!Number.isInteger(version) || version < 1) {
    return { ok: false, cause: 'bad_shape', from: version, message: `the stored machines version ${String(version)} is not a version` };
  }
  if (version > versions.version) {
    return {
      ok: false, cause: 'newer_machines', from: version,
      message: `the snapshot was written by machines version ${version}, newer than this release's ${versions.version}: run the job with the release that wrote it, or a newer one`,
    };
  }
  let current = snapshot;
  for (let next = version + 1; next <= versions.version; next += 1) {
    const migration = versions.migrations[next];
    if (!migration) {
      return { ok: false, cause: 'bad_shape', from: version, message: `no migration leads from machines version ${next - 1} to ${next}` };
    }
    try {
      current = migration(structuredClone(current));
    } catch (error) {
      return { ok: false, cause: 'bad_shape', from: version, message: `the migration to machines version ${next} failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    if (!isObject(current)) return { ok: false, cause: 'bad_shape', from: version, message: `the migration to machines version ${next} gave no snapshot` };
  }
  return { ok: true, snapshot: current, from: version };
}
