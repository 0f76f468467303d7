/**
 * Requests per customer at the floor (issue 25): a one-member customer that connects costs create
 * user, create member and one status read, plus its share of one read of the institution's
 * credential fields. With webhooks the read is the one a webhook wakes (the create's answer already
 * said the member aggregates); polled, no read comes before the poll interval. Counted by the
 * sandbox (`stats.byRoute`), never timed.
 */
import { describe, expect, it } from 'vitest';
import { FLOOR, runRequestJob } from '../support/requestsPerCustomer.js';

const CUSTOMERS = 40;

describe('requests per one-member customer', () => {
  it('with webhooks (none lost): at most 3.1, one status read each, one credential-field read in all', async () => {
    const told = await runRequestJob({ customers: CUSTOMERS, webhooks: true, aggregationMs: 1_500 });
    console.log(`webhooks: ${told.perCustomer.toFixed(3)} requests per customer (floor ${FLOOR}) in ${told.seconds.toFixed(1)} s; ${JSON.stringify(told.byRoute)}`);
    expect(told.outcomes).toEqual({ done: CUSTOMERS });
    expect(told.webhooksLost).toBe(0);
    expect(told.byRoute).toEqual({
      'POST /users': CUSTOMERS,
      'GET /institutions/{institution_identifier}/credentials': 1,
      'POST /users/{user_identifier}/members': CUSTOMERS,
      'GET /users/{user_identifier}/members/{member_identifier}/status': CUSTOMERS,
    });
    expect(told.perCustomer).toBeLessThanOrEqual(3.1);
  }, 120_000);

  it('polled: as many credential-field reads as institutions, and one status read each when the aggregation ends within the interval', async () => {
    const polled = await runRequestJob({ customers: CUSTOMERS, webhooks: false, aggregationMs: 1_000, pollIntervalMs: 3_000 });
    console.log(`polling every 3 s: ${polled.perCustomer.toFixed(3)} requests per customer (floor ${FLOOR}) in ${polled.seconds.toFixed(1)} s; ${JSON.stringify(polled.byRoute)}`);
    expect(polled.outcomes).toEqual({ done: CUSTOMERS });
    expect(polled.fieldReads).toBe(1);
    expect(polled.statusReads).toBe(CUSTOMERS);
    expect(polled.perCustomer).toBeLessThanOrEqual(3.1);
  }, 120_000);
});
