/**
 * Requests per customer against the floor (issue 25): 40 one-member customers that all connect,
 * 15-s aggregations, once told by webhooks (none lost, a 30-s fallback poll) and once polled every
 * 3 s, each against a fresh sandbox. The figures are the sandbox's own counts (`stats.byRoute`),
 * as ratios to the floor of 3 (create user, create member, one status read), and the credential-
 * field reads against the number of institutions (one).
 *
 * Runs under the bench runner (`npm run bench requests`).
 */
import { FLOOR, runRequestJob, type RequestJobResult } from '../support/requestsPerCustomer.js';
import type { Row, Scenario } from './run.js';

const CUSTOMERS = 40;
const AGGREGATION_MS = 15_000;
const INSTITUTIONS = 1;
const PER_CUSTOMER_TARGET = 3.1;

function rows(label: string, run: RequestJobResult, target: boolean): Row[] {
  const connected = run.outcomes.done === CUSTOMERS;
  return [
    {
      scenario: 'requests',
      metric: `requests per customer, ${label}; ${CUSTOMERS} customers × 1 member, 15-s aggregations, vs the floor (${run.seconds.toFixed(0)} s)`,
      value: Number(run.perCustomer.toFixed(3)),
      baseline: FLOOR,
      ratio: Number((run.perCustomer / FLOOR).toFixed(3)),
      ...(target ? { target: `<= ${PER_CUSTOMER_TARGET}`, met: connected && run.perCustomer <= PER_CUSTOMER_TARGET } : {}),
    },
    {
      scenario: 'requests',
      metric: `status reads per customer, ${label}`,
      value: Number((run.statusReads / CUSTOMERS).toFixed(3)),
      baseline: 1,
      ratio: Number((run.statusReads / CUSTOMERS).toFixed(3)),
    },
    {
      scenario: 'requests',
      metric: `credential-field reads, ${label}, vs institutions`,
      value: run.fieldReads,
      baseline: INSTITUTIONS,
      ratio: run.fieldReads / INSTITUTIONS,
      target: `= ${INSTITUTIONS}`,
      met: run.fieldReads === INSTITUTIONS,
    },
  ];
}

export const scenario: Scenario = {
  name: 'requests',
  async run() {
    // One after the other: side by side, the two runs would slow each other's polling down.
    const told = await runRequestJob({ customers: CUSTOMERS, webhooks: true, aggregationMs: AGGREGATION_MS });
    const polled = await runRequestJob({ customers: CUSTOMERS, webhooks: false, aggregationMs: AGGREGATION_MS, pollIntervalMs: 3_000 });
    return [...rows('webhooks (none lost) + 30-s fallback', told, true), ...rows('polling every 3 s', polled, false)];
  },
};
