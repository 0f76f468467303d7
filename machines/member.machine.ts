/**
 * One member (bank connection) of an existing user: create it without ever holding its
 * credentials, aggregate, poll its status every `pollIntervalMs` (sooner on `member.status.changed`), answer MFA, and end in
 * `connected`, `needsAction` (with the status or the reason) or `failed` (with the error).
 */
import { errorOf, lostDuplicateFallback, retryOrFail, waitingStates } from './retryKit.js';
import { END_USER_READ_BRANCHES, endUserStates, FOUND_FOR_END_USER } from './member.endUser.js';
import { connectionOf, credentialFieldsReadOf, FINAL_STATES, initialMemberContext, LOST_MEMBER, memberOutputOf, recordStatusOf, rereadOnConflict, statusOf, STEP_TARGETS } from './member.parts.js';
import { memberSetup, readOf } from './member.setup.js';

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
    loadingChallenges: {
      description: 'The member is CHALLENGED: reading the MFA challenges to answer.',
      invoke: {
        src: 'listChallenges',
        id: 'listChallenges',
        input: ({ context }) => ({ userGuid: context.userGuid, memberGuid: context.memberGuid ?? '' }),
        onDone: [
          {
            guard: { type: 'hasChallenges', params: ({ event }) => ({ challenges: event.output }) },
            target: 'challenged',
            actions: { type: 'recordChallenges', params: ({ event }) => ({ challenges: event.output }) },
          },
          // No challenge left (204): the status has moved on; read it again after the interval.
          { guard: 'hasPollsLeft', target: 'polling.waitingToPoll', actions: 'schedulePoll' },
          { target: 'needsAction', actions: { type: 'needAction', params: { reason: 'pollTimeout' } } },
        ],
        onError: retryOrFail('loadingChallenges', 'member'),
      },
    },
    challenged: {
      description: 'Challenges are known: answer them unless MFA keeps asking beyond maxChallengeRounds.',
      always: [
        { guard: 'hasChallengeRoundsLeft', target: 'awaitingAnswer' },
        { target: 'needsAction', actions: { type: 'needAction', params: { reason: 'tooManyChallenges' } } },
      ],
    },
    awaitingAnswer: {
      description: 'Waiting until answerBy for answers: from the answerChallenge actor or a member.challenge.answered event.',
      entry: 'startAnswerWindow',
      invoke: {
        src: 'sleepUntil',
        id: 'answerTimer',
        input: ({ context }) => ({ until: context.answerBy ?? 0 }),
        onDone: { target: 'needsAction', actions: { type: 'needAction', params: { reason: 'challengeUnanswered' } } },
      },
      on: { 'member.challenge.answered': { target: 'resuming' } },
      initial: 'asking',
      states: {
        asking: {
          description: 'The answerChallenge actor obtains answers and puts them in the runtime\'s answer store.',
          invoke: {
            src: 'answerChallenge',
            id: 'answerChallenge',
            input: ({ context }) => ({
              userGuid: context.userGuid,
              memberGuid: context.memberGuid ?? '',
              memberExternalId: context.externalId,
              userExternalId: context.userExternalId,
              challenges: context.challenges,
            }),
            onDone: [
              { guard: { type: 'isAnswered', params: ({ event }) => ({ answered: event.output.answered }) }, target: '#member.resuming' },
              { target: 'waitingForAnswer' },
            ],
            onError: { target: '#member.failed', actions: { type: 'recordFailure', params: errorOf } },
          },
        },
        waitingForAnswer: {
          description: 'No automatic answer: waiting for member.challenge.answered until answerBy, reading the status every pollIntervalMs in case the challenge was answered from elsewhere.',
          entry: 'scheduleAnswerCheck',
          initial: 'sleeping',
          states: {
            sleeping: {
              description: 'Waiting until nextPollAt before reading whether the member is still CHALLENGED.',
              invoke: {
                src: 'sleepUntil',
                id: 'answerPollTimer',
                input: ({ context }) => ({ until: context.nextPollAt ?? 0 }),
                onDone: { target: 'checking' },
              },
            },
            checking: {
              description: 'Still CHALLENGED: keep waiting. Anything else: someone answered (another process resumed the member), so follow the aggregation.',
              invoke: {
                src: 'readMemberStatus',
                id: 'readChallengedStatus',
                input: ({ context }) => ({ userGuid: context.userGuid, memberGuid: context.memberGuid ?? '' }),
                onDone: [
                  { guard: { type: 'hasStatusCategory', params: statusOf('challenged') }, target: 'sleeping', actions: 'scheduleAnswerCheck' },
                  { target: '#member.polling', actions: [recordStatusOf, 'startPolling'] },
                ],
                // A failed read changes nothing about the wait; the next one may get through.
                onError: { target: 'sleeping', actions: 'scheduleAnswerCheck' },
              },
            },
          },
        },
      },
    },
    resuming: {
      description: 'Sending the answers (read by the runtime from its answer store) and resuming the aggregation.',
      invoke: {
        src: 'resumeAggregation',
        id: 'resumeAggregation',
        input: ({ context }) => ({
          userGuid: context.userGuid,
          memberGuid: context.memberGuid ?? '',
          memberExternalId: context.externalId,
          userExternalId: context.userExternalId,
          challengeGuids: context.challenges.map((c) => c.guid),
        }),
        onDone: { target: 'polling', actions: [{ type: 'recordMember', params: ({ event }) => ({ member: event.output }) }, 'startPolling'] },
        onError: [
          {
            guard: { type: 'isChallengeExpired', params: errorOf },
            target: 'needsAction',
            actions: [{ type: 'recordFailure', params: errorOf }, { type: 'needAction', params: { reason: 'challengeExpired' } }],
          },
          rereadOnConflict,
          ...retryOrFail('resuming', 'member'),
        ],
      },
    },
    ...waitingStates(STEP_TARGETS, 'notifyParentOfHalt'),
    ...endUserStates,
    ...FINAL_STATES,
  },
  output: ({ context }) => memberOutputOf(context),
});
