/**
 * Only a widget connection that waits for its end user's member may adopt the member a webhook
 * names. Every `X-Callback-Payload` names its connection (base64, MX's OpenAPI parameter
 * `#/components/parameters/xCallback`), and MX echoes it in MEMBER webhooks (docs.mx.com/resources/webhooks), so a
 * credentials member whose create has not answered yet is named too: it must be woken, never be
 * handed a member to adopt, and a delivery saying it is still aggregating wakes nobody.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createActor, type AnyActorRef } from 'xstate';
import { memberMachine, onboardingMachine, userMachine } from '../../machines/index.js';
import { callbackPayloadOf, wakeLiveMember } from '../../src/durable/wake.js';
import { createWebhookReceiver, type WebhookReceiver } from '../../src/webhooks/index.js';
import { fields, member, ok, scripted, status, user } from '../machines/harness.js';

const AUTH = 'mx:widget-adoption-password';
const JOB = 'march';
const options = { pollIntervalMs: 60_000, maxPollMs: 600_000, endUserPollMs: 60_000, endUserWaitMs: 3_600_000 };
const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** One customer with a credentials connection (`cust-1-bank`) and a widget one (`cust-1-widget`). */
function startItem(script: Parameters<typeof scripted>[0]) {
  const machine = onboardingMachine.provide({
    actors: { user: userMachine.provide({ actors: scripted({ createUser: [ok(user())] }) }), member: memberMachine.provide({ actors: scripted(script) }) },
  });
  const actor = createActor(machine, {
    input: {
      externalId: 'cust-1', options,
      members: [{ externalId: 'cust-1-bank', institutionCode: 'mxbank' }, { externalId: 'cust-1-widget', institutionCode: '', connect: 'widget' }],
    } as never,
  }).start();
  stops.push(() => void actor.stop());
  // What the item's member machines are sent, in order, besides what they do with it.
  const sent: { type: string; memberExternalId?: string }[] = [];
  const recording = { getSnapshot: () => actor.getSnapshot(), send: (event: { type: string }) => (sent.push(event), actor.send(event as never)) } as unknown as AnyActorRef;
  const live = new Map([[JOB, new Map([['cust-1', { actor: recording }]])]]);
  return { actor, sent, live };
}

const memberState = (actor: AnyActorRef, id: string): unknown => (actor.getSnapshot().children[`member:${id}`] as AnyActorRef | undefined)?.getSnapshot().value;
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('a MEMBER webhook that names a connection', () => {
  it('wakes a credentials member whose create has not answered yet, and offers the member only to the widget connection that waits for one', async () => {
    // createMember never answers: the credentials member has no guid yet.
    const { actor, sent, live } = startItem({ listCredentialFields: [ok(fields)] });
    await settle();
    expect(memberState(actor, 'cust-1-bank')).toBe('creating');
    expect(memberState(actor, 'cust-1-widget')).toEqual({ awaitingEndUserMember: 'sleeping' });

    const bank = wakeLiveMember(live, { memberGuid: 'MBR-7', memberId: 'cust-1-bank', jobId: JOB, customerId: 'cust-1' });
    expect(bank).toEqual({ jobId: JOB, customerId: 'cust-1', memberId: 'cust-1-bank' });
    expect(sent).toEqual([{ type: 'member.status.changed', memberExternalId: 'cust-1-bank' }]);

    const widget = wakeLiveMember(live, { memberGuid: 'MBR-8', memberId: 'cust-1-widget', jobId: JOB, customerId: 'cust-1' });
    expect(widget).toEqual({ jobId: JOB, customerId: 'cust-1', memberId: 'cust-1-widget' });
    expect(sent[1]).toEqual({ type: 'member.enduser.linked', memberExternalId: 'cust-1-widget', memberGuid: 'MBR-8' });
    await settle();
    expect(memberState(actor, 'cust-1-widget')).toEqual({ awaitingEndUserMember: 'adopting' });
  });

  it('counts a still-aggregating delivery for a credentials member as noted, and one for the waiting widget connection as a wake', async () => {
    const { actor, sent, live } = startItem({
      listCredentialFields: [ok(fields)],
      createMember: [ok(member('CREATED', 'MBR-1', 'cust-1-bank'))],
      readMemberStatus: [ok(status('CREATED', 'MBR-1'))],
    });
    const receiver: WebhookReceiver = await createWebhookReceiver({ target: { wakeMember: (ref) => wakeLiveMember(live, ref) }, port: 0, auth: AUTH });
    stops.push(() => receiver.close());
    await settle();
    expect(memberState(actor, 'cust-1-bank')).toEqual({ polling: 'waitingToPoll' });
    const post = (guid: string, id: string) =>
      fetch(receiver.url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(AUTH).toString('base64')}`,
          'content-type': 'application/json',
          'x-callback-payload': callbackPayloadOf({ job: JOB, customer: 'cust-1', connection: id })!,
        },
        body: JSON.stringify({ action: 'updated', type: 'MEMBER', member: { guid, id, connection_status: 'CREATED', is_being_aggregated: true } }),
      });
    expect((await post('MBR-1', 'cust-1-bank')).status).toBe(204);
    expect((await post('MBR-8', 'cust-1-widget')).status).toBe(204);
    await settle();
    expect(receiver.stats()).toMatchObject({ noted: 1, woke: 1 });
    expect(sent).toEqual([{ type: 'member.enduser.linked', memberExternalId: 'cust-1-widget', memberGuid: 'MBR-8' }]);
    expect(memberState(actor, 'cust-1-bank')).toEqual({ polling: 'waitingToPoll' });
  });
});
