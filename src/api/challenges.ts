/**
 * MFA challenges as MX is seen to send them, turned into one shape. The spec's `ChallengeResponse`
 * has a string `type`, nullable option fields and IMAGE_OPTIONS choices in `image_options[]`; MX's
 * MFA guide shows `"type": 0` (a number). One odd challenge must never make a whole status an error.
 */
import type { MxChallenge, MxChallengeOption } from './types.js';

/**
 * The numbers MX's older documents use for a challenge's `type`. Only 0 is shown by MX
 * (docs.mx.com/products/connectivity/overview/mfa: a TEXT question "What city were you born in?"
 * with `"type": 0`); any other number is kept as its digits, and answered as free text unless the
 * challenge carries options.
 */
export const NUMERIC_CHALLENGE_TYPES: Readonly<Record<number, string>> = { 0: 'TEXT' };

const str = (value: unknown): string | null => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A challenge's type as a name: a string as sent, a known number as its name, another number as its digits.
 *
 * @example
 * ```ts
 * challengeTypeOf(0);         // 'TEXT'
 * challengeTypeOf('OPTIONS'); // 'OPTIONS'
 * challengeTypeOf(7);         // '7'
 * ```
 */
export function challengeTypeOf(type: unknown): string {
  if (typeof type === 'number') return NUMERIC_CHALLENGE_TYPES[type] ?? String(type);
  return typeof type === 'string' ? type : 'TEXT';
}

/** An option that can be answered: it needs a value; a missing label shows the value instead. */
function optionOf(raw: unknown, withImage: boolean): MxChallengeOption | null {
  if (!isObject(raw)) return null;
  const value = str(raw.value);
  if (value === null) return null;
  const option: MxChallengeOption = { label: str(raw.label) ?? value, value };
  const dataUri = withImage ? str(raw.data_uri) : null;
  if (dataUri) option.data_uri = dataUri;
  return option;
}

const optionsOf = (raw: unknown, withImage: boolean): MxChallengeOption[] =>
  Array.isArray(raw) ? raw.map((o) => optionOf(o, withImage)).filter((o): o is MxChallengeOption => o !== null) : [];

/**
 * One challenge in the client's shape: `type` a string, `options` only answerable options (label
 * defaulting to the value), and an IMAGE_OPTIONS challenge's `image_options[]` as its options, each
 * with its `data_uri`.
 *
 * @example
 * ```ts
 * normalizeChallenge({ guid: 'CRD-1', type: 0, label: 'City?' });
 * // { guid: 'CRD-1', type: 'TEXT', label: 'City?', field_name: null, options: [] }
 * ```
 */
export function normalizeChallenge(challengeAsSent: MxChallenge | (Record<string, unknown> & { guid: string })): MxChallenge {
  const raw = challengeAsSent as Record<string, unknown> & { guid: string };
  const images = optionsOf(raw.image_options, true);
  const options = images.length > 0 ? images : optionsOf(raw.options, false);
  const challenge: MxChallenge = {
    ...raw,
    guid: raw.guid,
    type: challengeTypeOf(raw.type),
    label: str(raw.label),
    field_name: str(raw.field_name),
    options,
  };
  delete (challenge as { image_options?: unknown }).image_options;
  return challenge;
}
