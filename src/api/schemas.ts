/**
 * The shapes of MX's responses, checked where they arrive (zod): the fields the lifecycle reads,
 * with the types both API versions document, and any other field let through. A body that
 * breaks them is one `unknown` error of the item, never an `undefined` deep in a machine.
 */
import { z } from 'zod';
import type { MxChallenge, MxCredentialField, MxInstitution, MxMember, MxMemberStatus, MxUser } from './types.js';

const guid = z.string().min(1);
const text = z.string().nullable().optional();
const flag = z.boolean().nullable().optional();

export const userSchema = z.looseObject({
  guid,
  id: text,
  email: text,
  is_disabled: flag,
  metadata: text,
});

// ChallengeResponse (both spec versions): every field nullable, options and image_options lists of
// objects whose guid/label/value may be null; MX's MFA guide shows a numeric `type`. What is
// accepted here is normalised by `normalizeChallenge`.
const optionSchema = z.looseObject({ guid: text, label: text, value: z.union([z.string(), z.number()]).nullable().optional() });
export const challengeSchema = z.looseObject({
  guid,
  type: z.union([z.string(), z.number()]).nullable().optional(),
  label: text,
  field_name: text,
  image_data: text,
  options: z.array(optionSchema).nullable().optional(),
  image_options: z.array(optionSchema.extend({ data_uri: text })).nullable().optional(),
});

export const memberSchema = z.looseObject({
  guid,
  id: text,
  user_guid: text,
  institution_code: text,
  connection_status: text,
  connection_status_message: text,
  is_being_aggregated: flag,
  is_oauth: flag,
  oauth_window_uri: text,
  aggregated_at: text,
  successfully_aggregated_at: text,
  name: text,
});

export const memberStatusSchema = z.looseObject({
  guid,
  connection_status: text,
  is_being_aggregated: flag,
  is_authenticated: flag,
  aggregated_at: text,
  successfully_aggregated_at: text,
  challenges: z.array(challengeSchema).nullable().optional(),
});

export const credentialFieldSchema = z.looseObject({
  guid,
  field_name: text,
  label: text,
  type: text,
  display_order: z.number().nullable().optional(),
});

export const institutionSchema = z.looseObject({
  code: z.string().min(1),
  name: text,
  supports_oauth: flag,
});

/** A type guard from a schema, plus the first problem it found (for the error's message). */
export interface Check<T> {
  (value: unknown): value is T;
  problem(value: unknown): string;
}

function check<T>(schema: z.ZodType): Check<T> {
  const guard = ((value: unknown) => schema.safeParse(value).success) as Check<T>;
  guard.problem = (value) => {
    const issue = schema.safeParse(value).error?.issues[0];
    if (!issue) return 'valid';
    const where = issue.path.length === 0 ? 'the object' : issue.path.join('.');
    return `${where}: ${issue.message}`;
  };
  return guard;
}

export const isUser = check<MxUser>(userSchema);
export const isMember = check<MxMember>(memberSchema);
export const isMemberStatus = check<MxMemberStatus>(memberStatusSchema);
export const isChallenge = check<MxChallenge>(challengeSchema);
export const isCredentialField = check<MxCredentialField>(credentialFieldSchema);
export const isInstitution = check<MxInstitution>(institutionSchema);
