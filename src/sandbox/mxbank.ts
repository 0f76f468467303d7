/**
 * The sandbox's institutions and MX's test table for them: which `mxbank` password ends an
 * aggregation how, which MFA answers do what, the challenges it raises and the status messages.
 * The table follows MX's "Testing with MX Bank" (docs.mx.com/resources/test-platform/mxbank/);
 * the lowercase words are the sandbox's own extras for statuses MX's table has no password for.
 */
import type { ConnectionStatus } from '../api/index.js';

/** What the `mxbank` password makes an aggregation end in. */
export type Outcome =
  | 'connected' | 'challenge' | 'options' | 'image' | 'twoStep' | 'denied' | 'locked' | 'prevented' | 'impeded' | 'slow' | 'failed'
  | 'oauth';

/**
 * The `mxbank` passwords (case sensitive) and the outcome each one picks; any other password
 * connects, as in MX's table. The upper-case words are MX's; the lower-case ones are extras.
 */
export const MXBANK_PASSWORDS: Readonly<Record<string, Outcome>> = {
  challenge: 'challenge',
  options: 'options',
  image: 'image',
  two_step: 'twoStep',
  BAD_REQUEST: 'failed',
  UNAUTHORIZED: 'denied',
  INVALID: 'denied',
  LOCKED: 'locked',
  DISABLED: 'denied',
  SERVER_ERROR: 'failed',
  UNAVAILABLE: 'failed',
  denied: 'denied',
  locked: 'locked',
  prevented: 'prevented',
  impeded: 'impeded',
  slow: 'slow',
  server_error: 'failed',
};

export const MXBANK_USERNAME = 'mxuser';
/** The answer that passes any challenge. */
export const CORRECT_ANSWER = 'correct';
/** The first answer that passes a challenge and raises a follow-up one (MX Bank, "Testing Your Setup"). */
export const FOLLOW_UP_ANSWER = 'challenge';

/**
 * What an MFA answer ends in: `correct` connects; MX's table lets `DISABLED`, `SERVER_ERROR` and
 * `UNAVAILABLE` be answers too, with their outcomes; anything else is an incorrect answer.
 */
export function answerStatus(value: string): ConnectionStatus {
  if (value === CORRECT_ANSWER) return 'CONNECTED';
  if (value === 'DISABLED') return 'DENIED';
  if (value === 'SERVER_ERROR' || value === 'UNAVAILABLE') return 'FAILED';
  return 'REJECTED';
}

export interface CredentialField {
  guid: string;
  field_name: string;
  field_type: string;
  label: string;
  type: string;
  display_order: number;
}

export interface Institution {
  code: string;
  name: string;
  guid: string;
  manual: boolean;
  /** OAuth-only: members wait in PENDING for the end user to open their `oauth_window_uri`. */
  oauth: boolean;
  credentials: CredentialField[];
}

const LOGIN: CredentialField[] = [
  { guid: 'CRD-username', field_name: 'LOGIN', field_type: 'TEXT', label: 'Username', type: 'LOGIN', display_order: 1 },
  { guid: 'CRD-password', field_name: 'PASSWORD', field_type: 'PASSWORD', label: 'Password', type: 'PASSWORD', display_order: 2 },
];

export const INSTITUTIONS: ReadonlyMap<string, Institution> = new Map([
  ['mxbank', { code: 'mxbank', name: 'MX Bank', guid: 'INS-1572a04c-912b-59bf-5841-332c7dfafaef', manual: false, oauth: false, credentials: LOGIN }],
  ['oauthbank', { code: 'oauthbank', name: 'MX Bank (OAuth)', guid: 'INS-oauth-5d1e2c3b', manual: false, oauth: true, credentials: [] }],
  ['manual', { code: 'manual', name: 'Manual Institution', guid: 'INS-manual-b1d7c8f5', manual: true, oauth: false, credentials: [] }],
]);

/** The institution whose MX guid is `guid`. */
export function institutionByGuid(guid: string): Institution | undefined {
  for (const institution of INSTITUTIONS.values()) if (institution.guid === guid) return institution;
  return undefined;
}

/**
 * The outcome a set of `mxbank` credentials picks. The values are read here and nowhere else:
 * the caller keeps the outcome and drops the values. A user name other than `mxuser` is DENIED.
 */
export function outcomeOf(credentials: ReadonlyArray<{ guid: string; value: string }>): Outcome {
  const username = credentials.find((c) => c.guid === 'CRD-username')?.value;
  const password = credentials.find((c) => c.guid === 'CRD-password')?.value ?? '';
  if (username !== MXBANK_USERNAME) return 'denied';
  return Object.hasOwn(MXBANK_PASSWORDS, password) ? (MXBANK_PASSWORDS[password] ?? 'connected') : 'connected';
}

/**
 * The open challenge of a member whose outcome is a challenge, as MX's ChallengeResponse; `round`
 * 2 is the follow-up: the code sent to the phone chosen in round 1.
 */
export function challengeOf(outcome: Outcome, guid: string | null, round = 1): Record<string, unknown> | null {
  if (guid === null) return null;
  if (round > 1) return { guid, type: 'TEXT', label: 'Enter the code we sent to your phone.', field_name: 'code' };
  if (outcome === 'twoStep') {
    return {
      guid,
      type: 'OPTIONS',
      label: 'Where should we send your one-time code?',
      field_name: 'phone',
      options: [
        { guid: `${guid}-1`, label: 'Text (XXX) XXX-1234', value: CORRECT_ANSWER },
        { guid: `${guid}-2`, label: 'Text (XXX) XXX-5678', value: 'incorrect' },
      ],
    };
  }
  if (outcome === 'options') {
    return {
      guid,
      type: 'OPTIONS',
      label: 'Which colour is the sky on a clear day?',
      field_name: 'colour',
      options: [
        { guid: `${guid}-1`, label: 'Blue', value: CORRECT_ANSWER },
        { guid: `${guid}-2`, label: 'Green', value: 'incorrect' },
      ],
    };
  }
  if (outcome === 'image') {
    return {
      guid,
      // MX's ChallengeResponse names the image type IMAGE_DATA (its OpenAPI file's example).
      type: 'IMAGE_DATA',
      label: 'Enter the text in the picture.',
      field_name: 'captcha',
      // A 1×1 PNG: the challenge is answered with `correct`, whatever the picture shows.
      image_data: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
    };
  }
  return { guid, type: 'TEXT', label: 'What city were you born in?', field_name: 'city' };
}

export const STATUS_MESSAGES: Partial<Record<ConnectionStatus, string>> = {
  CREATED: 'Connecting to MX Bank ...',
  CONNECTED: 'Connected to MX Bank.',
  CHALLENGED: 'To authenticate your connection to MX Bank, please answer the following challenge(s).',
  DENIED: 'The credentials entered do not match your credentials at this institution. Please re-enter your credentials to continue.',
  LOCKED: 'Your account is locked. Please log in to the appropriate website for MX Bank and follow the steps to resolve the issue.',
  PREVENTED: 'MX Bank is preventing access to your account. Please log in to MX Bank and follow the steps to resolve the issue.',
  IMPEDED: 'Your attention is needed at this institution\'s website. Please log in to the appropriate website for MX Bank and follow the steps to resolve the issue.',
  DELAYED: 'Importing your accounts and transactions is taking longer than expected.',
  FAILED: 'There was a problem validating your credentials with MX Bank. Please try again later.',
  REJECTED: 'The answer or answers provided were incorrect. Please try again.',
  EXPIRED: 'The answer or answers were not provided in time. Please try again.',
  RESUMED: 'The connection to MX Bank has resumed.',
  PENDING: 'Waiting for you to sign in at MX Bank (OAuth).',
};
