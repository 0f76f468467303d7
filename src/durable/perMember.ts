/**
 * What the runtime holds in memory for one member (its credentials, its MFA answers) is keyed by
 * the customer AND the member: keyed by member id alone, two customers whose rows share a member
 * id would be sent each other's credentials (the last row read won for both).
 */
import type { ChallengeAnswer } from '../api/index.js';

/**
 * The key of one customer's member.
 *
 * @example
 * memberKey('cust-1', 'cust-1-mxbank') // 'cust-1\u0000cust-1-mxbank'
 */
export const memberKey = (customerId: string | null | undefined, memberId: string): string => `${customerId ?? ''}\u0000${memberId}`;

/** Answers given and not yet sent, by `memberKey`. In memory only, by design. */
export type AnswerBox = Map<string, ChallengeAnswer[]>;

/** Credentials given to `submit`, by customer and member; never stored. */
export interface GivenCredentials {
  set(customerId: string, memberId: string, credentials: Record<string, string>): void;
  /**
   * The credentials of `customerId`'s member. A snapshot written before members knew their customer
   * asks with `null`: it gets the credentials only when a single customer gave that member id.
   */
  get(customerId: string | null | undefined, memberId: string): Record<string, string> | null;
  /**
   * Lets go of a customer's credentials once it is final: kept for every customer, what a job of
   * 200,000 held grew with the job rather than with the customers in progress. Running the customer
   * again (`retry`) submits its credentials again.
   */
  forget(customerId: string): void;
  /** Customers whose credentials are held. */
  readonly size: number;
}

/**
 * An empty set of given credentials.
 *
 * @example
 * const given = createGivenCredentials();
 * given.set('cust-1', 'm-1', { username: 'mxuser', password: 'password' });
 * given.forget('cust-1'); // once cust-1 is final
 */
export function createGivenCredentials(): GivenCredentials {
  // Pairs rather than a Map per customer: a customer has a member or two, and 200,000 small Maps
  // cost several times what the credentials do.
  const byCustomer = new Map<string, Array<[memberId: string, credentials: Record<string, string>]>>();
  const owners = new Map<string, string | null>();
  return {
    set(customerId, memberId, credentials) {
      const members = byCustomer.get(customerId);
      const kept = members?.find(([id]) => id === memberId);
      if (kept) kept[1] = credentials;
      else if (members) members.push([memberId, credentials]);
      else byCustomer.set(customerId, [[memberId, credentials]]);
      const owner = owners.get(memberId);
      owners.set(memberId, owner === undefined || owner === customerId ? customerId : null);
    },
    get(customerId, memberId) {
      const owner = customerId ?? owners.get(memberId);
      if (owner === null || owner === undefined) return null;
      return byCustomer.get(owner)?.find(([id]) => id === memberId)?.[1] ?? null;
    },
    forget(customerId) {
      const members = byCustomer.get(customerId);
      if (!members) return;
      // A member id two customers gave stays ambiguous (null): a snapshot without its customer still gets none.
      for (const [memberId] of members) if (owners.get(memberId) === customerId) owners.delete(memberId);
      byCustomer.delete(customerId);
    },
    get size() {
      return byCustomer.size;
    },
  };
}
