/**
 * The flags that watch a job: `--dashboard [PORT]`, `--dashboard-host HOST`, `--log-format` and
 * `--log-level`. A command takes them by spreading `OBSERVE_OPTIONS` into its parseArgs options
 * and passing the values to `observeSettingsOf`; its row of the flag table (flagTable.ts) lists them.
 */
import { LOG_LEVELS, type LogFormat } from '../../observe/_internals/index.js';
import type { UsageProblem } from '../commands/command.js';

export interface ObserveSettings {
  /** The dashboard's port (0: any free one), or undefined without `--dashboard`. */
  dashboardPort: number | undefined;
  /** Where the dashboard listens; anything but loopback is warned about. */
  dashboardHost: string;
  /** Structured logs: undefined when neither `--log-format` nor `--log-level` was given. */
  log: { format: LogFormat; level: (typeof LOG_LEVELS)[number] } | undefined;
}

export const OBSERVE_OPTIONS = {
  dashboard: { type: 'string' }, 'dashboard-host': { type: 'string' }, 'log-format': { type: 'string' }, 'log-level': { type: 'string' },
} as const;

const usageProblem = (usage: string): UsageProblem => ({ usage });

function portOf(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65_535) throw usageProblem(`--dashboard must be a port from 0 to 65535, not '${value}'`);
  return n;
}

export const NO_OBSERVING: ObserveSettings = { dashboardPort: undefined, dashboardHost: '127.0.0.1', log: undefined };

/**
 * Reads the watching flags from parseArgs values.
 *
 * @example
 * observeSettingsOf({ dashboard: '', 'log-format': 'json' }) // { dashboardPort: 0, dashboardHost: '127.0.0.1', log: { format: 'json', level: 'info' } }
 */
export function observeSettingsOf(values: { dashboard?: string; 'dashboard-host'?: string; 'log-format'?: string; 'log-level'?: string }): ObserveSettings {
  const format = values['log-format'];
  if (format !== undefined && format !== 'text' && format !== 'json') throw usageProblem(`--log-format must be text or json, not '${format}'`);
  const level = values['log-level'];
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) throw usageProblem(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not '${level}'`);
  const host = values['dashboard-host'];
  if (host !== undefined && (host.trim() === '' || /[\s/]/.test(host))) throw usageProblem(`--dashboard-host must be a host name or address, not '${host}'`);
  if (host !== undefined && values.dashboard === undefined) throw usageProblem(`--dashboard-host needs --dashboard`);
  return {
    dashboardPort: values.dashboard === undefined ? undefined : values.dashboard === '' ? 0 : portOf(values.dashboard),
    dashboardHost: host ?? '127.0.0.1',
    log: format === undefined && level === undefined ? undefined : { format: format ?? 'text', level: (level ?? 'info') as (typeof LOG_LEVELS)[number] },
  };
}
