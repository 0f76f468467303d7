/**
 * Which customer of a file each member id belongs to. MX keeps one namespace of member ids per
 * client: "It must be unique for all members belonging to all users within the client"
 * (docs.mx.com, Member Fields: `id`). So a member id that a second customer uses again is a bad
 * row: sent, MX would say "already exists" and the second customer would end up with the first
 * one's connection, or the first one's credentials.
 */
import type { CustomerInput, InputProblem } from './types.js';

export interface MemberOwners {
  /** The problem when one of `customer`'s member ids already belongs to another customer. */
  claim(customer: CustomerInput, line: number, fieldOf: (index: number) => string): InputProblem | null;
  /** Records `customer`'s member ids as its own. */
  keep(customer: CustomerInput, line: number): void;
}

/**
 * A fresh record of member ids, for one read of one file.
 *
 * @example
 * const owners = createMemberOwners();
 * owners.claim(customer, 3, (i) => `members[${i}].id`) ?? owners.keep(customer, 3);
 */
export function createMemberOwners(): MemberOwners {
  const owners = new Map<string, { customer: string; line: number }>();
  return {
    claim(customer, line, fieldOf) {
      for (const [index, member] of customer.members.entries()) {
        const owner = owners.get(member.id);
        if (owner && owner.customer !== customer.id) {
          return {
            line,
            field: fieldOf(index),
            reason: `"${member.id}" is already a member id of customer "${owner.customer}" (line ${owner.line}); MX member ids are unique across all users of a client`,
          };
        }
      }
      return null;
    },
    keep(customer, line) {
      for (const member of customer.members) if (!owners.has(member.id)) owners.set(member.id, { customer: customer.id, line });
    },
  };
}
