/** The MX client a command's connection settings describe. */
import { createMxClient, type ObservableMxClient } from '../../api/index.js';
import { defined } from '../../_internals/index.js';
import { type Connection, type JobSettings, usageProblem } from '../flags/jobFlags.js';

/**
 * The MX client of a command's settings; a bad option is a usage problem.
 *
 * @example
 * const client = clientOf(connectionFromFlags(values, process.env));
 */
export function clientOf(settings: Connection & Partial<Pick<JobSettings, 'rate' | 'redis'>>): ObservableMxClient {
  try {
    return createMxClient({
      baseUrl: settings.baseUrl,
      clientId: settings.clientId,
      apiKey: settings.apiKey,
      auth: settings.auth,
      apiVersion: settings.apiVersion,
      dialect: settings.dialect,
      rate: defined({ perSecond: settings.rate, redis: settings.redis }),
      ...defined({ timeoutMs: settings.timeoutMs }),
    });
  } catch (error) {
    // The client explains a bad option with example code; its first sentence is what the user needs.
    throw usageProblem((error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/^createMxClient: /, '') ?? 'bad client options');
  }
}
