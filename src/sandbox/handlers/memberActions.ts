/**
 * A member's aggregation endpoints: status, aggregate, challenges and resume. The member's status
 * is computed from its timeline at the request's time, so these handlers only move timestamps.
 */
import { randomUUID } from 'node:crypto';
import { answerChallenge, startAggregation, viewAt, type Timeline } from '../aggregation.js';
import { fail, isRecord, paginate, rootObject, isSandboxError, type Handler } from './context.js';
import { isMember, ownMember } from './members.js';

export const readMemberStatus: Handler = (ctx) => {
  const member = ownMember(ctx);
  return isMember(member) ? { status: 200, json: { member: ctx.store.memberStatusJson(member, ctx.now) } } : member;
};

/**
 * Starts a job of `job`'s type, as MX's errors page says: 202 and no new job while one of the
 * same type runs or (for aggregate) within the minimum interval; 409 while one of another type runs.
 * The interval counts from the last successful aggregation (MX: one "cannot run a new aggregation
 * within three hours of a successful aggregation"), so a FAILED or DENIED one may be retried at once.
 */
function startJob(job: Timeline['job']): Handler {
  return (ctx) => {
    const member = ownMember(ctx);
    if (!isMember(member)) return member;
    const t = member.timeline;
    if (t.manual) return fail({ case: 'not_aggregatable' });
    const view = viewAt(t, ctx.now, ctx.options);
    const running = view.is_being_aggregated;
    if (running && t.job !== job) return fail({ case: 'job_running' });
    const lastSuccess = view.successfully_aggregated_at;
    const throttled = job === 'aggregate' && lastSuccess !== null && ctx.now - lastSuccess < ctx.options.minAggregationIntervalMs;
    // An OAuth member waits for its end user; aggregating it changes nothing until they sign in.
    if (!running && !throttled && t.outcome !== 'oauth') startAggregation(t, ctx.now, ctx.options, `CRD-${randomUUID()}`, job);
    return { status: 202, json: { member: ctx.store.memberJson(member, ctx.now) } };
  };
}

export const aggregateMember: Handler = startJob('aggregate');
/** MX's verify member: a premium job of another type, so it and aggregate answer 409 to each other. */
export const verifyMember: Handler = startJob('verify');

export const listMemberChallenges: Handler = (ctx) => {
  const member = ownMember(ctx);
  if (!isMember(member)) return member;
  const challenges = ctx.store.challengesAt(member, ctx.now);
  if (challenges.length === 0) return { status: 204 };
  const { page, pagination } = paginate(challenges, challenges.length, ctx.query);
  return { status: 200, json: { challenges: page, pagination } };
};

/**
 * Answers the open challenge. A member that is not challenged gets MX Platform's 405 (a constraint
 * of the endpoint not met); the seed dialects leave it as it is (so a retried resume is harmless),
 * except one whose challenge expired, which gets their documented error.
 */
export const resumeAggregation: Handler = (ctx) => {
  const member = ownMember(ctx);
  if (!isMember(member)) return member;
  const body = rootObject(ctx.body, 'member');
  if (isSandboxError(body)) return fail(body);
  const answers = body.challenges;
  if (answers === undefined || answers === null) return fail({ case: 'missing_fields', fields: ['member.challenges'] });
  if (!Array.isArray(answers) || !answers.every((a) => isRecord(a) && typeof a.guid === 'string' && typeof a.value === 'string')) {
    return fail({ case: 'invalid_field', field: 'member.challenges' });
  }
  const t = member.timeline;
  const view = viewAt(t, ctx.now, ctx.options);
  if (view.challenged) {
    const answer = (answers as { guid: string; value: string }[]).find((a) => a.guid === t.challengeGuid);
    if (!answer) return fail({ case: 'credentials_stale' });
    answerChallenge(t, answer.value, ctx.now, ctx.options, `CRD-${randomUUID()}`);
  } else if (view.connection_status === 'EXPIRED' && t.challengeGuid !== null && t.answeredAt === null) {
    return fail({ case: 'challenge_expired' });
  } else if (ctx.options.dialect === 'platform') {
    return fail({ case: 'not_challenged' });
  }
  return { status: 202, json: { member: ctx.store.memberJson(member, ctx.now) } };
};
