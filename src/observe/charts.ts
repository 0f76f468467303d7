/**
 * The four lifecycle statecharts laid out once per process (elkjs takes a few tens of ms each).
 */
import { memberMachine, offboardingMachine, onboardingMachine, userMachine } from '../../machines/index.js';
import { layoutStatechart, type Statechart } from './statechart.js';

let laidOut: Promise<Statechart[]> | undefined;

/**
 * The onboarding, user, member and offboarding charts, in that order.
 *
 * @example
 * const charts = await lifecycleCharts();
 * charts.map((c) => c.machine); // ['onboarding', 'user', 'member', 'offboarding']
 */
export function lifecycleCharts(): Promise<Statechart[]> {
  laidOut ??= Promise.all([onboardingMachine, userMachine, memberMachine, offboardingMachine].map((m) => layoutStatechart(m)));
  return laidOut;
}
