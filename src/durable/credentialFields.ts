/**
 * An institution's credential fields, read once per job run: they are the institution's, not the
 * member's, so a job of 10,000 mxbank members needs one read, not 10,000. A create that says the
 * fields are stale (`credentials_stale`) sends its member back to read them again, naming the
 * guids it used: the first such member re-reads, and the members behind it take the fresh fields.
 * Only field metadata (guid, name, label, type) is held, never a value.
 */
import type { Result } from 'neverthrow';
import type { ListCredentialFieldsActorInput } from '../../machines/_internals/index.js';
import type { LifecycleEffect } from '../../machines/index.js';
import type { MxCredentialField } from '../api/index.js';
import type { ApiError } from '../errors/index.js';

type FieldsRead = Result<MxCredentialField[], ApiError>;
type ReadFields = LifecycleEffect<ListCredentialFieldsActorInput, MxCredentialField[]>;

interface Entry {
  read: Promise<FieldsRead>;
  /** The guids read, once the read succeeded. */
  guids: string | null;
  /** Callers still waiting for the read: when the last one leaves its state, the read is cancelled. */
  waiting: number;
  controller: AbortController;
}

export interface CredentialFieldCacheOptions {
  /** Institutions held at most; past it the one read longest ago is let go. @default 1_000 */
  maxInstitutions: number;
}

export const defaultCredentialFieldCacheOptions: CredentialFieldCacheOptions = { maxInstitutions: 1_000 };

/** The `listCredentialFields` effect with a cache, and how many institutions it holds. */
export interface CredentialFieldCache {
  list: ReadFields;
  readonly size: number;
}

const guidsOf = (guids: readonly string[]): string => guids.toSorted().join('\u0000');

/**
 * Wraps the read of an institution's credential fields: one read per institution while the
 * cache lives (one job run), shared by every member that asks while it is under way, and read
 * again when a member names the fields it was refused with and the cache still holds those.
 * A failed read is not kept: the next member to ask reads again.
 *
 * @example
 * const fields = createCredentialFieldCache((input, signal) => client.listInstitutionCredentials(input.institutionCode, { signal }));
 * await fields.list({ institutionCode: 'mxbank' }, signal); // reads
 * await fields.list({ institutionCode: 'mxbank' }, signal); // from the cache
 * await fields.list({ institutionCode: 'mxbank', stale: ['CRD-username', 'CRD-password'] }, signal); // reads again
 */
export function createCredentialFieldCache(read: ReadFields, options: Partial<CredentialFieldCacheOptions> = {}): CredentialFieldCache {
  const { maxInstitutions } = { ...defaultCredentialFieldCacheOptions, ...options };
  const entries = new Map<string, Entry>();

  const start = (code: string): Entry => {
    entries.delete(code);
    if (entries.size >= maxInstitutions) {
      const oldest = entries.keys().next();
      if (!oldest.done) entries.delete(oldest.value);
    }
    const controller = new AbortController();
    const settle = (result: FieldsRead): FieldsRead => {
      if (result.isOk()) entry.guids = guidsOf(result.value.map((field) => field.guid));
      else if (entries.get(code) === entry) entries.delete(code);
      return result;
    };
    const forget = (error: unknown): never => {
      if (entries.get(code) === entry) entries.delete(code);
      throw error;
    };
    const entry: Entry = { read: Promise.resolve(read({ institutionCode: code }, controller.signal)).then(settle, forget), guids: null, waiting: 0, controller };
    entries.set(code, entry);
    return entry;
  };

  const join = (code: string, entry: Entry, signal: AbortSignal): Promise<FieldsRead> => {
    entry.waiting += 1;
    const leave = () => {
      entry.waiting -= 1;
      if (entry.waiting === 0 && entry.guids === null && entries.get(code) === entry) {
        entries.delete(code);
        entry.controller.abort(signal.reason);
      }
    };
    signal.addEventListener('abort', leave, { once: true });
    return entry.read.finally(() => signal.removeEventListener('abort', leave));
  };

  return {
    list: (input, signal) => {
      const code = input.institutionCode;
      const held = entries.get(code);
      const refused = input.stale !== undefined && held?.guids === guidsOf(input.stale);
      return join(code, held && !refused ? held : start(code), signal);
    },
    get size() {
      return entries.size;
    },
  };
}
