/**
 * A count with its noun, singular for one: "1 customer", "2 customers", "0 customers".
 *
 * @example
 * counted(1, 'customer') // '1 customer'
 * counted(3, 'connection') // '3 connections'
 */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
