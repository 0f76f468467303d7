/**
 * `--end-user-wait` and `--end-user-poll`: durations into the lifecycle options of onboard and
 * retry, defaults read from `defaultLifecycleOptions` in the help text, and clear usage errors.
 */
import { describe, expect, it } from 'vitest';
import { defaultLifecycleOptions } from '../../machines/index.js';
import { flagHelp } from '../../src/cli/flags/flagTable.js';
import { jobSettingsFromFlags } from '../../src/cli/flags/jobFlags.js';

const env = { MX_CLIENT_ID: 'c', MX_API_KEY: 'k', MX_BASE_URL: 'http://127.0.0.1:1' };

describe('end-user flags', () => {
  it('set the waits in the lifecycle options, days included', () => {
    const settings = jobSettingsFromFlags(['in.jsonl', '--end-user-wait', '3d', '--end-user-poll', '90s'], 'onboard', env);
    expect(settings.lifecycle).toMatchObject({ endUserWaitMs: 3 * 86_400_000, endUserPollMs: 90_000 });
    expect(jobSettingsFromFlags(['in.jsonl'], 'onboard', env).lifecycle).not.toHaveProperty('endUserWaitMs');
  });

  it('show their defaults from the defaults object', () => {
    expect(defaultLifecycleOptions).toMatchObject({ endUserWaitMs: 14 * 86_400_000, endUserPollMs: 3_600_000 });
    expect(flagHelp('onboard')).toContain('(default 14d)');
    expect(flagHelp('onboard')).toContain('(default 1h)');
  });

  it('refuse what is not a duration, and a poll of 0', () => {
    expect(() => jobSettingsFromFlags(['in.jsonl', '--end-user-wait', 'soon'], 'onboard', env)).toThrow();
    expect(() => jobSettingsFromFlags(['in.jsonl', '--end-user-poll', '0'], 'onboard', env)).toThrowError();
    try {
      jobSettingsFromFlags(['in.jsonl', '--end-user-poll', '0'], 'onboard', env);
    } catch (problem) {
      expect(problem).toEqual({ usage: '--end-user-poll must be longer than 0, e.g. 1h' });
    }
  });
});
