/**
 * The member machine's states that wait on a person, each a durable `sleepUntil` on absolute times
 * kept in context, so a restored machine waits only for what is left and holds no slot meanwhile.
 *
 * MFA (`challengeStates`): reading the challenges, waiting for answers (from the `answerChallenge`
 * actor or a `member.challenge.answered` event) until the answer window closes, and resuming the
 * aggregation with them.
 *
 * The end user (`endUserStates`): choosing how a connection connects (`auto`), creating an OAuth
 * member, and the two waits for the end user: for the member a widget's end user makes
 * (`awaitingEndUserMember`), and for an OAuth authorisation or a re-link of a member we know
 * (`awaitingEndUser`). The statechart itself is member.machine.ts.
 */
import type { MxChallenge, MxMember } from '../src/api/index.js';
import { readOf, recordStatusOf, rereadOnConflict, statusOf, type MemberContext, type MemberLinkedEvent } from './member.setup.js';
import { errorOf, retryOrFail } from './retryKit.js';

type Done<T> = { event: { output: T } };
type Ctx = { context: MemberContext };
const memberOf = ({ event }: Done<MxMember | null>) => ({ member: event.output });
const abandon = { target: '#member.needsAction', actions: { type: 'needAction', params: { reason: 'endUserAbandoned' } } } as const;
const deadline = {
  src: 'sleepUntil',
  id: 'endUserTimer',
  input: ({ context }: { context: MemberContext }) => ({ until: context.endUserBy ?? 0 }),
  onDone: abandon,
} as const;
const nextCheck = (id: string) => ({
  src: 'sleepUntil',
  id,
  input: ({ context }: { context: MemberContext }) => ({ until: context.nextEndUserCheckAt ?? 0 }),
}) as const;

/** Answering MFA: the member is CHALLENGED until the answers are sent, the window closes, or MFA asks too often. */
export const challengeStates = {
  loadingChallenges: {
    description: 'The member is CHALLENGED: reading the MFA challenges to answer.',
    invoke: {
      src: 'listChallenges',
      id: 'listChallenges',
      input: ({ context }: Ctx) => ({ userGuid: context.userGuid, memberGuid: context.memberGuid ?? '' }),
      onDone: [
        {
          guard: { type: 'hasChallenges', params: ({ event }: Done<MxChallenge[]>) => ({ challenges: event.output }) },
          target: 'challenged',
          actions: { type: 'recordChallenges', params: ({ event }: Done<MxChallenge[]>) => ({ challenges: event.output }) },
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
      input: ({ context }: Ctx) => ({ until: context.answerBy ?? 0 }),
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
          input: ({ context }: Ctx) => ({
            userGuid: context.userGuid,
            memberGuid: context.memberGuid ?? '',
            memberExternalId: context.externalId,
            userExternalId: context.userExternalId,
            challenges: context.challenges,
          }),
          onDone: [
            { guard: { type: 'isAnswered', params: ({ event }: Done<{ answered: boolean }>) => ({ answered: event.output.answered }) }, target: '#member.resuming' },
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
              input: ({ context }: Ctx) => ({ until: context.nextPollAt ?? 0 }),
              onDone: { target: 'checking' },
            },
          },
          checking: {
            description: 'Still CHALLENGED: keep waiting. Anything else: someone answered (another process resumed the member), so follow the aggregation.',
            invoke: {
              src: 'readMemberStatus',
              id: 'readChallengedStatus',
              input: ({ context }: Ctx) => ({ userGuid: context.userGuid, memberGuid: context.memberGuid ?? '' }),
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
      input: ({ context }: Ctx) => ({
        userGuid: context.userGuid,
        memberGuid: context.memberGuid ?? '',
        memberExternalId: context.externalId,
        userExternalId: context.userExternalId,
        challengeGuids: context.challenges.map((c) => c.guid),
      }),
      onDone: { target: 'polling', actions: [{ type: 'recordMember', params: memberOf }, 'startPolling'] },
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
} as const;

/** A status read (while polling) that hands an end-user connection back to its end user. */
export const END_USER_READ_BRANCHES = [
  { guard: { type: 'needsEndUser', params: readOf }, target: '#member.awaitingEndUser', actions: recordStatusOf },
] as const;

/** A duplicate create of an OAuth member, recovered: read where the end user stands rather than aggregate. */
export const FOUND_FOR_END_USER = {
  guard: { type: 'isFoundForEndUser', params: memberOf },
  target: '#member.awaitingEndUser.readingStatus',
  actions: { type: 'recordMember', params: memberOf },
} as const;

export const endUserStates = {
  choosingConnect: {
    description: 'No connect mode given: credentials if the runtime holds a login for this member, else OAuth if the bank supports it.',
    invoke: {
      src: 'chooseConnect',
      id: 'chooseConnect',
      input: ({ context }: { context: MemberContext }) => ({
        userGuid: context.userGuid, externalId: context.externalId, userExternalId: context.userExternalId, institutionCode: context.institutionCode,
      }),
      onDone: [
        {
          guard: { type: 'isOauthChoice', params: ({ event }: Done<string>) => ({ connect: event.output }) },
          target: 'creatingOauthMember',
          actions: { type: 'recordConnect', params: { connect: 'oauth' } },
        },
        { target: 'resolvingCredentialFields', actions: { type: 'recordConnect', params: { connect: 'credentials' } } },
      ],
      onError: retryOrFail('choosingConnect', 'member'),
    },
  },
  creatingOauthMember: {
    description: 'Creating an OAuth member (is_oauth, no credentials); it stays PENDING until the end user authorises.',
    invoke: {
      src: 'createMember',
      id: 'createOauthMember',
      input: ({ context }: { context: MemberContext }) => ({
        userGuid: context.userGuid, externalId: context.externalId, userExternalId: context.userExternalId,
        institutionCode: context.institutionCode, credentialFields: [], isOauth: true,
      }),
      onDone: { target: 'awaitingEndUser', actions: { type: 'recordMember', params: memberOf } },
      onError: [
        { guard: { type: 'isDuplicate', params: errorOf }, target: 'recoveringDuplicate', actions: { type: 'recordDuplicate', params: errorOf } },
        ...retryOrFail('creatingOauthMember', 'member'),
      ],
    },
  },
  awaitingEndUserMember: {
    description: 'A widget connection: waiting until endUserBy for the member its end user makes (a MEMBER webhook with its callback payload, or a listing every endUserPollMs).',
    entry: 'startEndUserWait',
    invoke: deadline,
    on: {
      'member.enduser.linked': { target: '.adopting', actions: { type: 'recordLinkedMember', params: ({ event }: { event: MemberLinkedEvent }) => ({ memberGuid: event.memberGuid }) } },
      'member.status.changed': { target: '.findingMember' },
    },
    initial: 'sleeping',
    states: {
      sleeping: {
        description: 'Waiting until nextEndUserCheckAt before listing the user\'s members.',
        invoke: { ...nextCheck('endUserMemberPollTimer'), onDone: { target: 'findingMember' } },
      },
      findingMember: {
        description: 'Listing the user\'s members for the one the end user made (named by this connection, or not yet named by any).',
        invoke: {
          src: 'findEndUserMember',
          id: 'findEndUserMember',
          input: ({ context }: { context: MemberContext }) => ({ userGuid: context.userGuid, externalId: context.externalId, institutionCode: context.institutionCode }),
          onDone: [
            {
              guard: { type: 'isFound', params: memberOf },
              target: 'adopting',
              actions: { type: 'recordLinkedMember', params: ({ event }: Done<MxMember | null>) => ({ memberGuid: event.output?.guid ?? null }) },
            },
            { target: 'sleeping', actions: 'scheduleEndUserCheck' },
          ],
          // A failed listing changes nothing about the wait; the next one may get through.
          onError: { target: 'sleeping', actions: 'scheduleEndUserCheck' },
        },
      },
      adopting: {
        description: 'Naming the end user\'s member after this connection at MX (its external id), which also proves it is this user\'s.',
        invoke: {
          src: 'adoptMember',
          id: 'adoptMember',
          input: ({ context }: { context: MemberContext }) => ({ userGuid: context.userGuid, memberGuid: context.memberGuid ?? '', externalId: context.externalId }),
          onDone: { target: '#member.polling', actions: [{ type: 'recordMember', params: memberOf }, 'startPolling'] },
          onError: [
            // Not this user's member (a stale or forged notice): keep waiting for the right one.
            { guard: { type: 'isNotFound', params: errorOf }, target: 'sleeping', actions: [{ type: 'recordLinkedMember', params: { memberGuid: null } }, 'scheduleEndUserCheck'] },
            ...retryOrFail('adoptingMember', 'member'),
          ],
        },
      },
    },
  },
  awaitingEndUser: {
    description: 'Waiting until endUserBy for the end user to authorise (OAuth) or re-link the member, reading its status every endUserPollMs or on a webhook.',
    entry: 'startEndUserWait',
    invoke: deadline,
    on: { 'member.status.changed': { target: '.readingStatus' } },
    initial: 'sleeping',
    states: {
      sleeping: {
        description: 'Waiting until nextEndUserCheckAt before reading the member\'s status.',
        invoke: { ...nextCheck('endUserPollTimer'), onDone: { target: 'readingStatus' } },
      },
      readingStatus: {
        description: 'Still PENDING or end-user-actionable: keep waiting. Anything else: the end user acted, so follow the aggregation.',
        invoke: {
          src: 'readMemberStatus',
          id: 'readEndUserStatus',
          input: ({ context }: { context: MemberContext }) => ({ userGuid: context.userGuid, memberGuid: context.memberGuid ?? '' }),
          onDone: [
            { guard: { type: 'isWithEndUser', params: readOf }, target: 'sleeping', actions: [recordStatusOf, 'scheduleEndUserCheck'] },
            { target: '#member.polling', actions: [recordStatusOf, 'startPolling'] },
          ],
          onError: { target: 'sleeping', actions: 'scheduleEndUserCheck' },
        },
      },
    },
  },
} as const;
