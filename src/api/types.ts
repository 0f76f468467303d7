/**
 * The MX Platform API shapes the lifecycle uses (as in MX's OpenAPI description, v20111101),
 * and the typed client every layer above the transport talks to.
 */
import type { ResultAsync } from 'neverthrow';
import type { ApiError } from '../errors/index.js';
import type { ExchangeNote } from '../http/index.js';

export type { ExchangeNote };

export interface MxUser {
  guid: string;
  id: string | null;
  email: string | null;
  is_disabled: boolean | null;
  metadata: string | null;
}

/** Member `connection_status` values MX documents. */
export type ConnectionStatus =
  | 'CREATED' | 'PREVENTED' | 'DENIED' | 'CHALLENGED' | 'REJECTED' | 'LOCKED' | 'CONNECTED'
  | 'IMPEDED' | 'RECONNECTED' | 'DEGRADED' | 'DISCONNECTED' | 'DISCONTINUED' | 'CLOSED' | 'DELAYED'
  | 'FAILED' | 'UPDATED' | 'DISABLED' | 'IMPORTED' | 'RESUMED' | 'EXPIRED' | 'IMPAIRED' | 'PENDING';

export interface MxMember {
  guid: string;
  id: string | null;
  user_guid: string;
  institution_code: string;
  connection_status: ConnectionStatus | null;
  connection_status_message?: string | null;
  is_being_aggregated: boolean | null;
  aggregated_at: string | null;
  /** When an aggregation of the member last succeeded. */
  successfully_aggregated_at?: string | null;
  name?: string | null;
  /** Whether the member connects through OAuth (the end user authorises at the institution). */
  is_oauth?: boolean | null;
  /** Where the end user completes OAuth; present while an OAuth member waits for them (PENDING). */
  oauth_window_uri?: string | null;
}

export interface MxChallengeOption {
  /** The label shown (the value when MX sent none). */
  label: string;
  value: string;
  /** IMAGE_OPTIONS choices: the picture, as a `data:` URI. */
  data_uri?: string;
}

export interface MxChallenge {
  guid: string;
  /** A name; a number MX sends is turned into its name (or its digits) by the client. */
  type: 'TEXT' | 'OPTIONS' | 'IMAGE_DATA' | 'IMAGE_OPTIONS' | 'TOKEN' | string;
  label: string | null;
  field_name?: string | null;
  /** OPTIONS choices, or an IMAGE_OPTIONS challenge's `image_options` (each with its `data_uri`). */
  options?: MxChallengeOption[];
  /** IMAGE_DATA challenges: the picture, base64. */
  image_data?: string | null;
}

export interface MxMemberStatus {
  guid: string;
  connection_status: ConnectionStatus | null;
  is_being_aggregated: boolean | null;
  is_authenticated?: boolean | null;
  aggregated_at: string | null;
  successfully_aggregated_at?: string | null;
  /** The open MFA challenges, inline while the member is CHALLENGED. */
  challenges?: MxChallenge[] | null;
}

export interface MxCredentialField {
  guid: string;
  field_name: string | null;
  label: string | null;
  type: string | null;
  display_order: number | null;
}

/** An institution as `GET /institutions/{institution_code}` returns it (the fields the lifecycle reads). */
export interface MxInstitution {
  code: string;
  name?: string | null;
  /** Whether members at this institution connect through OAuth (InstitutionResponse.supports_oauth). */
  supports_oauth?: boolean | null;
}

/**
 * What `requestWidgetUrl` asks for: a Connect widget, opened on a member (a re-link) or an
 * institution, with the `X-Callback-Payload` MX echoes in the MEMBER webhooks the end user causes.
 */
export interface WidgetUrlRequest {
  /** Opens the widget on this member (re-link, MFA); wins over `currentInstitutionCode`. */
  currentMemberGuid?: string;
  currentInstitutionCode?: string;
  /** Where OAuth returns the end user to (mobile webviews). */
  clientRedirectUrl?: string;
  /** Sent as `X-Callback-Payload`: printable ASCII (base64), at most 1,024 characters, no secret. */
  callbackPayload?: string;
}

/** A credential value for a member create (`{guid: CRD-…, value}`); never persisted. */
export interface CredentialValue {
  guid: string;
  value: string;
}

/** An answer to one MFA challenge. */
export interface ChallengeAnswer {
  guid: string;
  value: string;
}

export interface CallOptions {
  /** Aborts the request (XState passes one to every promise actor). */
  signal?: AbortSignal;
  /**
   * Told of every exchange the call makes (a 429 or an expired token sends it again): method,
   * path template, status and time. Never a URL, a guid, a header or a body.
   */
  onExchange?: (exchange: ExchangeNote) => void;
}

export interface CreateUserInput {
  id: string;
  email?: string;
  metadata?: string;
  is_disabled?: boolean;
}

export interface CreateMemberInput {
  userGuid: string;
  id: string;
  institutionCode: string;
  /** Ignored (none are sent) when `isOauth` is true. */
  credentials: CredentialValue[];
  /**
   * Creates an OAuth member (`is_oauth: true`, no credentials): it stays PENDING until the end user
   * authorises at its `oauth_window_uri` (docs.mx.com OAuth guide).
   */
  isOauth?: boolean;
  skipAggregation?: boolean;
  /**
   * Sent as `X-Callback-Payload`; MX echoes it in the MEMBER webhooks this request causes
   * (docs.mx.com/resources/webhooks/member). MX's spec (`#/components/parameters/xCallback`): "the
   * base64 encoded string", at most 1,024 characters; anything else is refused before sending. No secret.
   */
  callbackPayload?: string;
}

/**
 * What `updateMember` changes; at least one field. New `credentials` start an aggregation.
 * Credential values are sent once and never kept.
 */
export interface UpdateMemberInput {
  credentials?: CredentialValue[];
  /** A new external id. */
  id?: string;
  metadata?: string;
  /** Sent as `X-Callback-Payload` (base64, at most 1,024 characters), as on create. */
  callbackPayload?: string;
}

/** Options of an aggregation request. */
export interface AggregateOptions extends CallOptions {
  /** Sent as `X-Callback-Payload` (base64, at most 1,024 characters), as on create. */
  callbackPayload?: string;
}

/**
 * The typed MX Platform client: every call resolves to `Ok(value)` or `Err(ApiError)`, never throws
 * for an HTTP outcome.
 */
export interface MxClient {
  createUser(input: CreateUserInput, options?: CallOptions): ResultAsync<MxUser, ApiError>;
  readUser(userGuid: string, options?: CallOptions): ResultAsync<MxUser, ApiError>;
  /** The user with this external id (v20250224: one read by identifier), or `null` when there is none. */
  findUserByExternalId(id: string, options?: CallOptions): ResultAsync<MxUser | null, ApiError>;
  deleteUser(userGuid: string, options?: CallOptions): ResultAsync<void, ApiError>;
  createMember(input: CreateMemberInput, options?: CallOptions): ResultAsync<MxMember, ApiError>;
  readMember(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxMember, ApiError>;
  /**
   * MX's update member (PUT): changes credentials (which starts an aggregation: poll the status
   * afterwards), the external id or metadata. Resolves with the member as MX returns it.
   */
  updateMember(userGuid: string, memberGuid: string, changes: UpdateMemberInput, options?: CallOptions): ResultAsync<MxMember, ApiError>;
  /** The user's member with this external id (v20250224: one read; v20111101: all pages searched), or `null`. */
  findMemberByExternalId(userGuid: string, id: string, options?: CallOptions): ResultAsync<MxMember | null, ApiError>;
  readMemberStatus(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxMemberStatus, ApiError>;
  /** Starts an aggregation; a member already aggregating (202) is a success too. */
  aggregateMember(userGuid: string, memberGuid: string, options?: AggregateOptions): ResultAsync<MxMember, ApiError>;
  /** The member's open challenges; `[]` when there are none (the API's 204). */
  listMemberChallenges(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<MxChallenge[], ApiError>;
  resumeAggregation(userGuid: string, memberGuid: string, answers: ChallengeAnswer[], options?: CallOptions): ResultAsync<MxMember, ApiError>;
  deleteMember(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<void, ApiError>;
  listInstitutionCredentials(institutionCode: string, options?: CallOptions): ResultAsync<MxCredentialField[], ApiError>;
  /**
   * A Connect widget URL (POST `/users/{user_guid}/widget_urls`, `widget_type: connect_widget`). It
   * "expires after ten minutes or upon first use": hand it to the end user at once, never keep it.
   */
  requestWidgetUrl(userGuid: string, request?: WidgetUrlRequest, options?: CallOptions): ResultAsync<{ url: string }, ApiError>;
  /** A new one-time `oauth_window_uri` for an OAuth member; hand it to the end user, never keep it. */
  readOauthWindowUri(userGuid: string, memberGuid: string, options?: CallOptions): ResultAsync<{ url: string }, ApiError>;
  /** Every member of the user (all pages). */
  listMembers(userGuid: string, options?: CallOptions): ResultAsync<MxMember[], ApiError>;
  /** One institution, e.g. whether it `supports_oauth`. */
  readInstitution(institutionCode: string, options?: CallOptions): ResultAsync<MxInstitution, ApiError>;
  /** Stops the limiter, token timers and keep-alive connections. */
  close(): Promise<void>;
}
