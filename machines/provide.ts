/**
 * Wires effect functions into the machines. The runtime writes each effect as a plain function
 * returning a neverthrow `ResultAsync` (what `MxClient` already returns); this module turns them
 * into the named promise actors the machines invoke, rejecting with the `ApiError` of an `Err`.
 */
import { fromPromise, type AnyActorRef, type PromiseActorLogic } from 'xstate';
import type { Result } from 'neverthrow';
import type { ApiError } from '../src/errors/index.js';
import type { LifecycleActorContracts, SleepUntilActorInput } from './actors.js';
import { memberMachine } from './member.machine.js';
import { offboardingMachine } from './offboarding.machine.js';
import { onboardingMachine } from './onboarding.machine.js';
import { refreshMachine } from './refresh.machine.js';
import { userMachine } from './user.machine.js';

/**
 * One effect: called with the actor's input, the AbortSignal that fires when its state is left,
 * and the promise actor it runs in (whose parent is the machine that invoked it).
 */
export type LifecycleEffect<I, O> = (input: I, signal: AbortSignal, caller?: AnyActorRef) => PromiseLike<Result<O, ApiError>>;

type EffectName = Exclude<keyof LifecycleActorContracts, 'sleepUntil'>;

/** Every effect by actor name (see `LifecycleActorContracts` for the inputs and values). */
export type LifecycleEffects = {
  [N in EffectName]: LifecycleEffect<LifecycleActorContracts[N]['input'], LifecycleActorContracts[N]['output']>;
};

/**
 * A promise actor from an effect: resolves with the `Ok` value, rejects with the `Err`'s ApiError.
 *
 * @example
 * ```ts
 * const createUser = fromEffect((input: CreateUserActorInput, signal) => client.createUser({ id: input.externalId }, { signal }));
 * ```
 */
export function fromEffect<I, O>(effect: LifecycleEffect<I, O>): PromiseActorLogic<O, I> {
  return fromPromise<O, I>(async ({ input, signal, self }) => {
    const result = await effect(input, signal, self);
    if (result.isOk()) return result.value;
    return Promise.reject(result.error);
  });
}

export interface ProvideOptions {
  /** Replaces the default `sleepUntil` (a timer on `Date.now()`). */
  sleepUntil?: PromiseActorLogic<void, SleepUntilActorInput>;
}

/**
 * The five machines with these effects provided; onboarding gets the provided user and member
 * machines as its children. Effects left out keep their "must be provided" placeholder.
 *
 * @example
 * ```ts
 * const machines = provideEffects({
 *   createUser: (input, signal) => client.createUser({ id: input.externalId, email: input.email }, { signal }),
 *   findUser: (input, signal) => client.findUserByExternalId(input.externalId, { signal }),
 *   // …
 * });
 * const actor = createActor(machines.onboarding, { input });
 * ```
 */
export function provideEffects(effects: Partial<LifecycleEffects>, options: ProvideOptions = {}) {
  const actor = <N extends EffectName>(name: N) => {
    const effect = effects[name] as LifecycleEffect<LifecycleActorContracts[N]['input'], LifecycleActorContracts[N]['output']> | undefined;
    return effect ? { [name]: fromEffect(effect) } : {};
  };
  const sleep = options.sleepUntil ? { sleepUntil: options.sleepUntil } : {};
  const user = userMachine.provide({ actors: { ...actor('createUser'), ...actor('findUser'), ...sleep } });
  const member = memberMachine.provide({
    actors: {
      ...actor('listCredentialFields'), ...actor('createMember'), ...actor('findMember'), ...actor('aggregateMember'),
      ...actor('readMemberStatus'), ...actor('listChallenges'), ...actor('answerChallenge'), ...actor('resumeAggregation'),
      ...actor('chooseConnect'), ...actor('findEndUserMember'), ...actor('adoptMember'),
      ...sleep,
    },
  });
  const offboarding = offboardingMachine.provide({
    actors: { ...actor('findUser'), ...actor('findMember'), ...actor('deleteMember'), ...actor('deleteUser'), ...sleep },
  });
  const onboarding = onboardingMachine.provide({ actors: { user, member } });
  const refresh = refreshMachine.provide({ actors: { ...actor('readMemberStatus'), ...actor('aggregateForRefresh'), ...sleep } });
  return { user, member, offboarding, onboarding, refresh };
}
