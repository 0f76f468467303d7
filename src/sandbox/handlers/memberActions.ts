/**
 * A member's aggregation endpoints: status, aggregate, challenges and resume. The member's status
 * is computed from its timeline at the request's time, so these handlers only move timestamps.
 */
import { randomUUID } from 'node:crypto';
import { CORRECT_ANSWER, startAggregation, viewAt } from '../aggregation.js';
import { fail, isRecord, paginate, rootObject, isSandboxError, type Handler } from './context.js';
import { isMember, ownMember } from './members.js';

export const readMemberStatus: Handler = (ctx) => {
  const member = ownMember(ctx);
  return isMember(member) ? { status: 200, json: { member: ctx.store.memberStatusJson(member, ctx.now) } } : member;
};

export const aggregateMember: Handler = (ctx) => {
  const member = ownMember(ctx);
  if (!isMember(member)) return member;
  if (member.timeline.manual) return fail({ case: 'not_aggregatable' });
  if (!viewAt(member.timeline, ctx.now, ctx.options).is_being_aggregated) {
    startAggregation(member.timeline, ctx.now, ctx.options, `CRD-${randomUUID()}`);
  }
  return { status: 202, json: { member: ctx.store.memberJson(member, ctx.now) } };
};

export const listMemberChallenges: Handler = (ctx) => {
  const member = ownMember(ctx);
  if (!isMember(member)) return member;
  const challenges = ctx.store.challengesAt(member, ctx.now);
  if (challenges.length === 0) return { status: 204 };
  const { page, pagination } = paginate(challenges, challenges.length, ctx.query);
  return { status: 200, json: { challenges: page, pagination } };
};

/**
 * Answers the open challenge. A member that is not challenged is left as it is (so a retried
 * resume is harmless), except one whose challenge expired, which gets the documented error.
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
    t.answeredAt = ctx.now;
    t.answerCorrect = answer.value === CORRECT_ANSWER;
  } else if (view.connection_status === 'EXPIRED' && t.challengeGuid !== null && t.answeredAt === null) {
    return fail({ case: 'challenge_expired' });
  }
  return { status: 202, json: { member: ctx.store.memberJson(member, ctx.now) } };
};
