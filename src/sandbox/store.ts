/**
 * The sandbox's records: users and members in maps indexed the ways the API looks them up (by
 * guid, by external id within a client, by user). Records hold no credential values: a member
 * keeps the outcome its credentials chose and nothing else of them.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { ConnectionStatus } from '../api/index.js';
import { viewAt, type Timeline, type Timing } from './aggregation.js';
import { challengeOf, STATUS_MESSAGES } from './mxbank.js';
import type { ApiVersion } from './versions.js';

/** A user as the ground truth shows it: MX's UserResponse and the client that owns it. */
export interface SandboxUser {
  guid: string;
  id: string | null;
  email: string | null;
  is_disabled: boolean;
  metadata: string | null;
  client_id: string;
}

/** A member as the ground truth shows it: never its credentials, which are not kept. */
export interface SandboxMember {
  guid: string;
  id: string | null;
  user_guid: string;
  client_id: string;
  institution_code: string;
  connection_status: ConnectionStatus | null;
  is_being_aggregated: boolean;
  aggregated_at: string | null;
  successfully_aggregated_at: string | null;
  is_manual: boolean;
}

export interface UserRecord {
  guid: string;
  clientId: string;
  id: string | null;
  email: string | null;
  is_disabled: boolean;
  metadata: string | null;
}

export interface MemberRecord {
  guid: string;
  clientId: string;
  userGuid: string;
  id: string | null;
  institutionCode: string;
  institutionGuid: string;
  name: string;
  metadata: string | null;
  /** Epoch ms; the MEMBER webhook's `created_at`. */
  createdAt: number;
  /**
   * A keyed digest of the institution and credential values, to refuse a duplicate member; its
   * key is random per sandbox and lives only in memory, so it tells nothing about the values.
   */
  fingerprint: string | null;
  timeline: Timeline;
}

const key = (clientId: string, id: string): string => `${clientId}\u0000${id}`;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class SandboxStore {
  readonly users = new Map<string, UserRecord>();
  readonly members = new Map<string, MemberRecord>();
  /** Users in creation order per client, for listing. */
  private readonly usersByClient = new Map<string, Map<string, UserRecord>>();
  private readonly userIds = new Map<string, string>();
  private readonly memberIds = new Map<string, string>();
  private readonly membersByUser = new Map<string, Map<string, MemberRecord>>();

  private readonly fingerprintKey = randomBytes(32);

  constructor(private readonly timing: Timing) {}

  /**
   * The digest of `institutionCode` and `credentials` under this store's random key.
   *
   * @example
   * store.fingerprint('mxbank', [{ guid: 'CRD-username', value: 'mxuser' }]) === store.fingerprint('mxbank', [{ guid: 'CRD-username', value: 'mxuser' }]);
   */
  fingerprint(institutionCode: string, credentials: ReadonlyArray<{ guid: string; value: string }>): string {
    const sorted = credentials.toSorted((a, b) => a.guid.localeCompare(b.guid)).map((c) => [c.guid, c.value]);
    return createHmac('sha256', this.fingerprintKey).update(JSON.stringify([institutionCode, sorted])).digest('base64url');
  }

  clear(): void {
    this.users.clear();
    this.members.clear();
    this.usersByClient.clear();
    this.userIds.clear();
    this.memberIds.clear();
    this.membersByUser.clear();
  }

  /** A user of `clientId` by guid, or undefined (another client's users are invisible). */
  user(clientId: string, guid: string): UserRecord | undefined {
    const user = this.users.get(guid);
    return user?.clientId === clientId ? user : undefined;
  }

  userByExternalId(clientId: string, id: string): UserRecord | undefined {
    const guid = this.userIds.get(key(clientId, id));
    return guid === undefined ? undefined : this.users.get(guid);
  }

  usersOf(clientId: string): Iterable<UserRecord> {
    return this.usersByClient.get(clientId)?.values() ?? [];
  }

  userCount(clientId: string): number {
    return this.usersByClient.get(clientId)?.size ?? 0;
  }

  addUser(fields: Omit<UserRecord, 'guid'>): UserRecord {
    const user: UserRecord = { guid: `USR-${randomUUID()}`, ...fields };
    this.users.set(user.guid, user);
    let own = this.usersByClient.get(user.clientId);
    if (!own) this.usersByClient.set(user.clientId, (own = new Map()));
    own.set(user.guid, user);
    if (user.id !== null) this.userIds.set(key(user.clientId, user.id), user.guid);
    return user;
  }

  changeUserId(user: UserRecord, id: string | null): void {
    if (user.id !== null) this.userIds.delete(key(user.clientId, user.id));
    user.id = id;
    if (id !== null) this.userIds.set(key(user.clientId, id), user.guid);
  }

  deleteUser(user: UserRecord): void {
    // Deleting the entry being visited is safe in a Map iteration.
    for (const member of this.membersOf(user.guid)) this.deleteMember(member);
    this.users.delete(user.guid);
    this.usersByClient.get(user.clientId)?.delete(user.guid);
    if (user.id !== null) this.userIds.delete(key(user.clientId, user.id));
    this.membersByUser.delete(user.guid);
  }

  /** A member of the user by guid. */
  member(userGuid: string, guid: string): MemberRecord | undefined {
    return this.membersByUser.get(userGuid)?.get(guid);
  }

  memberByExternalId(clientId: string, id: string): MemberRecord | undefined {
    const guid = this.memberIds.get(key(clientId, id));
    return guid === undefined ? undefined : this.members.get(guid);
  }

  membersOf(userGuid: string): Iterable<MemberRecord> {
    return this.membersByUser.get(userGuid)?.values() ?? [];
  }

  memberCount(userGuid: string): number {
    return this.membersByUser.get(userGuid)?.size ?? 0;
  }

  addMember(fields: Omit<MemberRecord, 'guid'>): MemberRecord {
    const member: MemberRecord = { guid: `MBR-${randomUUID()}`, ...fields };
    this.members.set(member.guid, member);
    let own = this.membersByUser.get(member.userGuid);
    if (!own) this.membersByUser.set(member.userGuid, (own = new Map()));
    own.set(member.guid, member);
    if (member.id !== null) this.memberIds.set(key(member.clientId, member.id), member.guid);
    return member;
  }

  changeMemberId(member: MemberRecord, id: string | null): void {
    if (member.id !== null) this.memberIds.delete(key(member.clientId, member.id));
    member.id = id;
    if (id !== null) this.memberIds.set(key(member.clientId, id), member.guid);
  }

  deleteMember(member: MemberRecord): void {
    this.members.delete(member.guid);
    this.membersByUser.get(member.userGuid)?.delete(member.guid);
    if (member.id !== null) this.memberIds.delete(key(member.clientId, member.id));
  }

  /** The user as MX's UserResponse; v20250224's `email` is not nullable, so a user without one has none. */
  userJson(user: UserRecord, version: ApiVersion): Record<string, unknown> {
    const json: Record<string, unknown> = { email: user.email, guid: user.guid, id: user.id, is_disabled: user.is_disabled, metadata: user.metadata };
    if (user.email === null && version === 'v20250224') delete json.email;
    return json;
  }

  /**
   * The member as MX's MemberResponse, its status computed at `now`. `oauth_window_uri` is null
   * unless one was just issued for this answer: each one is one-time use and a bearer secret, so
   * reads, lists and webhooks carry none.
   */
  memberJson(member: MemberRecord, now: number, oauthWindowUri: string | null = null): Record<string, unknown> {
    const view = viewAt(member.timeline, now, this.timing);
    const owner = this.users.get(member.userGuid);
    return {
      aggregated_at: iso(view.aggregated_at),
      background_aggregation_is_disabled: false,
      connection_status: view.connection_status,
      connection_status_message: messageOf(view.connection_status),
      guid: member.guid,
      id: member.id,
      institution_code: member.institutionCode,
      institution_guid: member.institutionGuid,
      is_being_aggregated: view.is_being_aggregated,
      is_managed_by_user: false,
      is_manual: member.timeline.manual,
      is_oauth: member.timeline.oauth,
      metadata: member.metadata,
      name: member.name,
      oauth_window_uri: oauthWindowUri,
      successfully_aggregated_at: iso(view.successfully_aggregated_at),
      user_guid: member.userGuid,
      user_id: owner?.id ?? null,
    };
  }

  /** The member as MX's MemberStatusResponse, with its challenges while it is CHALLENGED. */
  memberStatusJson(member: MemberRecord, now: number): Record<string, unknown> {
    const view = viewAt(member.timeline, now, this.timing);
    const connected = view.successfully_aggregated_at !== null;
    const challenge = view.challenged ? challengeOf(member.timeline.outcome, member.timeline.challengeGuid, member.timeline.round) : null;
    return {
      aggregated_at: iso(view.aggregated_at),
      challenges: challenge ? [challenge] : [],
      connection_status: view.connection_status,
      guid: member.guid,
      has_processed_account_numbers: connected,
      has_processed_accounts: connected,
      has_processed_transactions: connected,
      // MX's MFA guide shows a CHALLENGED member with is_authenticated false.
      is_authenticated: connected && !view.challenged,
      is_being_aggregated: view.is_being_aggregated,
      successfully_aggregated_at: iso(view.successfully_aggregated_at),
    };
  }

  /** The open challenges of a member at `now`: empty unless it is CHALLENGED. */
  challengesAt(member: MemberRecord, now: number): Record<string, unknown>[] {
    const view = viewAt(member.timeline, now, this.timing);
    const challenge = view.challenged ? challengeOf(member.timeline.outcome, member.timeline.challengeGuid, member.timeline.round) : null;
    return challenge ? [challenge] : [];
  }

  /** Ground truth for tests and rehearsals: everything but credentials, which are never kept. */
  snapshot(now: number): { users: SandboxUser[]; members: SandboxMember[] } {
    const users = [...this.users.values()].map((u): SandboxUser => ({
      guid: u.guid,
      id: u.id,
      email: u.email,
      is_disabled: u.is_disabled,
      metadata: u.metadata,
      client_id: u.clientId,
    }));
    const members = [...this.members.values()].map((m): SandboxMember => {
      const view = viewAt(m.timeline, now, this.timing);
      return {
        guid: m.guid,
        id: m.id,
        user_guid: m.userGuid,
        client_id: m.clientId,
        institution_code: m.institutionCode,
        connection_status: view.connection_status,
        is_being_aggregated: view.is_being_aggregated,
        aggregated_at: iso(view.aggregated_at),
        successfully_aggregated_at: iso(view.successfully_aggregated_at),
        is_manual: m.timeline.manual,
      };
    });
    return { users, members };
  }
}

function messageOf(status: ConnectionStatus | null): string | null {
  return status === null ? null : (STATUS_MESSAGES[status] ?? null);
}
