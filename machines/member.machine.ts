/**
 * One member (bank connection) of an existing user: create it without ever holding its
 * credentials, aggregate, poll its status every `pollIntervalMs` (sooner on `member.status.changed`), answer MFA, and end in
 * `connected`, `needsAction` (with the status or the reason) or `failed` (with the error). Its
 * names (input, context, events, guards, actions) are member.setup.ts; the states that wait on a
 * person (MFA, the end user) are member.people.ts.
 */
import type { ListCredentialFieldsActorInput } from './actors.js';
import { lostDuplicateError } from './errors.js';
import { errorOf, lostDuplicateFallback, retryOrFail, waitingStates } from './retryKit.js';
import { challengeStates, END_USER_READ_BRANCHES, endUserStates, FOUND_FOR_END_USER } from './member.people.js';
import { memberSetup, readOf, recordStatusOf, rereadOnConflict, statusOf, type MemberContext, type MemberInput, type MemberOutput, type MemberStep } from './member.setup.js';
import { resolveLifecycleOptions } from './options.js';
import { initialRetryContext } from './retry.js';

/** Where a retry or a `job.resume` takes each step that calls MX. */
const STEP_TARGETS: Readonly<Record<MemberStep, string>> = {
  resolvingCredentialFields: '#member.resolvingCredentialFields', creating: '#member.creating',
  recoveringDuplicate: '#member.recoveringDuplicate', aggregating: '#member.aggregating',
  checkingStatus: '#member.polling.checkingStatus', loadingChallenges: '#member.loadingChallenges',
  resuming: '#member.resuming', choosingConnect: '#member.choosingConnect',
  creatingOauthMember: '#member.creatingOauthMember', adoptingMember: '#member.awaitingEndUserMember.adopting',
};

const LOST_MEMBER = lostDuplicateError('member');

/** The final states; each records its outcome on entry. */
const FINAL_STATES = {
  connected: { type: 'final', description: 'The member is CONNECTED (or RECONNECTED).', entry: { type: 'settle', params: { outcome: 'connected' } } },
  needsAction: {
    type: 'final',
    description: 'The end customer (or an operator) must act; the status or the reason is in the output.',
    entry: { type: 'settle', params: { outcome: 'needsAction' } },
  },
  failed: {
    type: 'final',
    description: 'The member could not be connected; the classified error (or FAILED status) is in the output.',
    entry: { type: 'settle', params: { outcome: 'failed' } },
  },
} as const;

/** A fresh machine's context: the input, the options resolved, no member yet and every counter at zero. */
const initialMemberContext = (input: MemberInput): MemberContext => ({
  userGuid: input.userGuid, externalId: input.externalId, userExternalId: input.userExternalId ?? null, institutionCode: input.institutionCode,
  options: resolveLifecycleOptions(input.options, input.externalId),
  memberGuid: null, connectionStatus: null, duplicateGuid: null, isOauth: false, hasOauthWindowUri: false, credentialFields: [], challenges: [],
  polls: 0, nextPollAt: null, answerBy: null, credentialRefreshes: 0, aggregationRetries: 0, challengeRounds: 0,
  reason: null, outcome: null, connect: input.connect ?? 'credentials', endUserBy: null, nextEndUserCheckAt: null,
  ...initialRetryContext,
});

/** What a finished machine reports: its outcome and why, never a credential or an answer. */
const memberOutputOf = (context: MemberContext): MemberOutput => ({
  outcome: context.outcome ?? 'failed', externalId: context.externalId, institutionCode: context.institutionCode,
  userGuid: context.userGuid, memberGuid: context.memberGuid, connectionStatus: context.connectionStatus, reason: context.reason,
  connect: context.connect === undefined || context.connect === 'auto' ? 'credentials' : context.connect,
  hasOauthWindowUri: context.hasOauthWindowUri === true,
  error: context.outcome === 'connected' ? null : context.error,
  challenges: context.challenges,
});

/** What a create (or an update of credentials) needs: whose member, where, and the fields' guids; never a value. */
const connectionOf = (context: MemberContext) => ({
  userGuid: context.userGuid, externalId: context.externalId, userExternalId: context.userExternalId,
  institutionCode: context.institutionCode, credentialFields: context.credentialFields,
});

/**
 * What the read of the institution's credential fields gets: after a create said the fields are
 * stale, the guids it used, so the runtime reads them again rather than hand the same ones back.
 */
const credentialFieldsReadOf = (context: MemberContext): ListCredentialFieldsActorInput =>
  context.credentialRefreshes > 0
    ? { institutionCode: context.institutionCode, stale: context.credentialFields.map((field) => field.guid) }
    : { institutionCode: context.institutionCode };

/**
 * Connects one member of an existing user. Final states `connected`, `needsAction` and `failed`;
 * `halted` waits for `job.resume`; `member.challenge.answered` says answers are in the runtime's store.
 *
 * @example
 * ```ts
 * const machine = memberMachine.provide({ actors: { listCredentialFields, createMember, readMemberStatus, … } });
 * createActor(machine, { input: { userGuid: 'USR-1', externalId: 'cust-1-mxbank', institutionCode: 'mxbank' } }).start();
 * ```
 */
export const memberMachine = memberSetup.createMachine({
  id: 'member',
  description: 'Connects one member of a user: create, aggregate, poll, answer MFA, until connected or a reason to stop.',
  context: ({ input }) => initialMemberContext(input),
  initial: 'starting',
  states: {
    starting: {
      description: 'Choosing the first step by how the connection connects: credentials, OAuth, the widget, or ask (auto).',
      always: [
        { guard: { type: 'connectsBy', params: { connect: 'oauth' } }, target: 'creatingOauthMember' },
        { guard: { type: 'connectsBy', params: { connect: 'widget' } }, target: 'awaitingEndUserMember' },
        { guard: { type: 'connectsBy', params: { connect: 'auto' } }, target: 'choosingConnect' },
        { target: 'resolvingCredentialFields' },
      ],
    },
    resolvingCredentialFields: {
      description: 'Reading the institution\'s credential fields (their guids, never their values).',
      invoke: {
        src: 'listCredentialFields',
        id: 'listCredentialFields',
        input: ({ context }) => credentialFieldsReadOf(context),
        onDone: { target: 'creating', actions: { type: 'recordCredentialFields', params: ({ event }) => ({ fields: event.output }) } },
        onError: retryOrFail('resolvingCredentialFields', 'member'),
      },
    },
    creating: {
      description: 'Creating the member; the runtime reads the credentials for this very request and keeps none.',
      invoke: {
        src: 'createMember',
        id: 'createMember',
        input: ({ context }) => connectionOf(context),
        // A created member starts aggregating by itself, and the create's answer says so: its first
        // status read waits a poll interval (or for the webhook that ends the wait), since a read
        // right away would only say again what the answer said.
        onDone: [
          {
            guard: { type: 'isAggregatingWithoutNews', params: ({ event }) => ({ member: event.output }) },
            target: '#member.polling.waitingToPoll',
            actions: [{ type: 'recordMember', params: ({ event }) => ({ member: event.output }) }, 'startPolling', 'schedulePoll'],
          },
          {
            target: 'polling',
            actions: [{ type: 'recordMember', params: ({ event }) => ({ member: event.output }) }, 'startPolling'],
          },
        ],
        onError: [
          { guard: { type: 'isDuplicate', params: errorOf }, target: 'recoveringDuplicate', actions: { type: 'recordDuplicate', params: errorOf } },
          {
            guard: { type: 'canRefreshCredentials', params: errorOf },
            target: 'resolvingCredentialFields',
            actions: ['countCredentialRefresh', { type: 'recordFailure', params: errorOf }],
          },
          ...retryOrFail('creating', 'member'),
        ],
      },
      // A webhook can outrun the create's answer (a fast aggregation): the first read is then not put off.
      on: { 'member.status.changed': { actions: 'noteStatusChanged' } },
    },
    recoveringDuplicate: {
      description: 'The member already exists: reading the guid MX named, or finding it by external id.',
      invoke: {
        src: 'findMember',
        id: 'findMember',
        input: ({ context }) => ({
          userGuid: context.userGuid,
          externalId: context.externalId,
          ...(context.duplicateGuid ? { memberGuid: context.duplicateGuid } : {}),
        }),
        onDone: [
          FOUND_FOR_END_USER,
          {
            guard: { type: 'isFound', params: ({ event }) => ({ member: event.output }) },
            target: 'aggregating',
            actions: { type: 'recordMember', params: ({ event }) => ({ member: event.output }) },
          },
          ...lostDuplicateFallback(LOST_MEMBER),
        ],
        onError: retryOrFail('recoveringDuplicate', 'member'),
      },
    },
    aggregating: {
      description: 'Asking MX to aggregate the member; "already aggregating" (202) is a success too.',
      invoke: {
        src: 'aggregateMember',
        id: 'aggregateMember',
        input: ({ context }) => ({ ...connectionOf(context), memberGuid: context.memberGuid ?? '' }),
        onDone: {
          target: 'polling',
          actions: [{ type: 'recordMember', params: ({ event }) => ({ member: event.output }) }, 'startPolling'],
        },
        onError: [rereadOnConflict, ...retryOrFail('aggregating', 'member')],
      },
    },
    polling: {
      description: 'Following the aggregation through the member\'s connection status.',
      initial: 'checkingStatus',
      states: {
        checkingStatus: {
          description: 'Reading the member\'s status; it is the outcome only once is_being_aggregated is false.',
          invoke: {
            src: 'readMemberStatus',
            id: 'readMemberStatus',
            input: ({ context }) => ({ userGuid: context.userGuid, memberGuid: context.memberGuid ?? '' }),
            onDone: [
              // First: a connection the end user makes waits for them, MFA included.
              ...END_USER_READ_BRANCHES,
              {
                // MX sends the open challenges inline with a CHALLENGED status: no second read.
                guard: { type: 'hasInlineChallenges', params: readOf },
                target: '#member.challenged',
                actions: [recordStatusOf, { type: 'recordChallenges', params: ({ event }) => ({ challenges: event.output.challenges ?? [] }) }],
              },
              { guard: { type: 'hasStatusCategory', params: statusOf('challenged') }, target: '#member.loadingChallenges', actions: recordStatusOf },
              {
                guard: { type: 'isOauthPending', params: readOf },
                target: '#member.needsAction',
                actions: [recordStatusOf, { type: 'needAction', params: { reason: 'oauthPending' } }],
              },
              { guard: { type: 'isBeingAggregatedWithPollsLeft', params: readOf }, target: 'waitingToPoll', actions: [recordStatusOf, 'schedulePoll'] },
              {
                guard: { type: 'isBeingAggregated', params: readOf },
                target: '#member.needsAction',
                actions: [recordStatusOf, { type: 'needAction', params: { reason: 'pollTimeout' } }],
              },
              { guard: { type: 'hasStatusCategory', params: statusOf('connected') }, target: '#member.connected', actions: recordStatusOf },
              {
                // Temporary (DEGRADED, DISCONNECTED, DISABLED, DELAYED): MX says aggregate again later.
                guard: { type: 'canRetryStatus', params: readOf },
                target: '#member.waitingToRetryStatus',
                actions: [recordStatusOf, { type: 'scheduleStatusRetry', params: readOf }],
              },
              {
                guard: { type: 'hasStatusCategory', params: statusOf('retryLater') },
                target: '#member.needsAction',
                actions: [recordStatusOf, { type: 'needAction', params: { reason: 'statusRetriesExhausted' } }],
              },
              {
                // A status the end user must act on, a terminal one, or one MX added that this release does not know.
                guard: { type: 'hasStatusCategory', params: statusOf('endCustomer', 'terminal', 'other') },
                target: '#member.needsAction',
                actions: [recordStatusOf, { type: 'needAction', params: { reason: 'connectionStatus' } }],
              },
              {
                guard: { type: 'hasStatusCategory', params: statusOf('aggregationFailed') },
                target: 'reaggregatingOrFailing',
                actions: recordStatusOf,
              },
              { guard: 'hasPollsLeft', target: 'waitingToPoll', actions: [recordStatusOf, 'schedulePoll'] },
              { target: '#member.needsAction', actions: [recordStatusOf, { type: 'needAction', params: { reason: 'pollTimeout' } }] },
            ],
            onError: retryOrFail('checkingStatus', 'member'),
          },
        },
        waitingToPoll: {
          description: 'Waiting until nextPollAt before reading the status again (MX asks for at least 3 s).',
          invoke: {
            src: 'sleepUntil',
            id: 'pollTimer',
            input: ({ context }) => ({ until: context.nextPollAt ?? 0 }),
            onDone: { target: 'checkingStatus' },
          },
          // A webhook said the member changed: read its status now rather than at nextPollAt.
          on: { 'member.status.changed': { target: 'checkingStatus', actions: 'refundPoll' } },
        },
        reaggregatingOrFailing: {
          description: 'The aggregation FAILED: aggregate once more if the budget allows, otherwise fail.',
          always: [
            { guard: 'canReaggregate', target: '#member.aggregating', actions: 'countReaggregation' },
            { target: '#member.failed' },
          ],
        },
      },
    },
    waitingToRetryStatus: {
      description: 'A temporary status: waiting until statusRetryAt (durable), then aggregating again; a webhook says read the status now.',
      invoke: {
        src: 'sleepUntil',
        id: 'statusRetryTimer',
        input: ({ context }) => ({ until: context.statusRetryAt ?? 0 }),
        onDone: { target: 'aggregating' },
      },
      on: { 'member.status.changed': { target: 'polling', actions: 'startPolling' } },
    },
    ...challengeStates,
    ...waitingStates(STEP_TARGETS, 'notifyParentOfHalt'),
    ...endUserStates,
    ...FINAL_STATES,
  },
  output: ({ context }) => memberOutputOf(context),
});
