/**
 * Which answered requests change a member in a way MX tells by a MEMBER webhook, and what the
 * webhook sender needs to know of each (docs.mx.com/resources/webhooks/member: created, updated,
 * deleted; the `X-Callback-Payload` of a create or update member request).
 */
import type { HandlerContext, Reply } from './handlers/context.js';
import type { RouteName } from './router.js';
import type { MemberWrite } from './webhookSender.js';

const WRITES: ReadonlyMap<string, MemberWrite['action']> = new Map([
  ['members POST', 'created'],
  ['member PUT', 'updated'],
  ['aggregate POST', 'updated'],
  ['resume PUT', 'updated'],
  ['member DELETE', 'deleted'],
]);

/**
 * The member write a successful reply stands for, or null.
 *
 * @example
 * memberWriteOf('members', 'POST', ctx, { status: 202, json: { member: { guid: 'MBR-1' } } }, undefined)
 * // { action: 'created', memberGuid: 'MBR-1' }
 */
export function memberWriteOf(
  route: RouteName,
  method: string,
  ctx: HandlerContext,
  reply: Reply,
  header: string | string[] | undefined,
): MemberWrite | null {
  const action = WRITES.get(`${route} ${method}`);
  if (action === undefined || 'error' in reply || reply.status < 200 || reply.status > 299) return null;
  const replied = (reply.json as { member?: { guid?: unknown } } | undefined)?.member?.guid;
  const memberGuid = typeof replied === 'string' ? replied : ctx.memberGuid;
  if (!memberGuid) return null;
  const payload = Array.isArray(header) ? header[0] : header;
  const echoes = route === 'members' || route === 'member';
  return { action, memberGuid, ...(echoes && payload !== undefined ? { callbackPayload: payload } : {}) };
}
