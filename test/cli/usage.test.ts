import Database from 'better-sqlite3';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO, workdir, writeJsonl } from './harness.js';

/** Nothing listens here: these runs must stop before they would call MX. */
const env = { MX_BASE_URL: 'http://127.0.0.1:9', MX_CLIENT_ID: 'client', MX_API_KEY: 'key-never-used' };
const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

describe('mx-lifecycle usage', () => {
  it('answers bad usage with one line, a hint, and exit 64', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'c.jsonl', [{ id: 'u-1', members: [] }]);
    const cases: [string[], Record<string, string>, RegExp][] = [
      [['onboard', input, '--colour', 'red'], env, /^mx-lifecycle onboard: Unknown option '--colour' \(see mx-lifecycle onboard --help\)$/],
      [['onboard'], env, /^mx-lifecycle onboard: INPUT is missing: give a JSONL or CSV file of customers \(see mx-lifecycle onboard --help\)$/],
      [['onboard', input, '--concurrency', 'lots'], env, /^mx-lifecycle onboard: --concurrency must be a whole number from 1 to 10000 or auto, not 'lots'/],
      [['onboard', input, '--max-concurrency', '0'], env, /^mx-lifecycle onboard: --max-concurrency must be a whole number from 1 to 100000, not '0'/],
      [['offboard', input, '--rate', '0'], env, /^mx-lifecycle offboard: --rate must be a positive number, not '0'/],
      [['onboard', input, '--auth', 'oauth'], env, /^mx-lifecycle onboard: --auth must be token or basic/],
      [['onboard', input, '--api-version', 'v1'], env, /^mx-lifecycle onboard: --api-version must be v20250224 or v20111101, not 'v1'/],
      [['offboard', input, '--dialect', 'soap'], env, /^mx-lifecycle offboard: --dialect must be one of platform, auto, mx-sso, nexus, mgx, mcc/],
      [['onboard', input], { MX_API_KEY: 'k', MX_CLIENT_ID: 'c' }, /^mx-lifecycle onboard: the MX API URL is missing: pass --base-url URL or set MX_BASE_URL/],
      [['onboard', input], { MX_BASE_URL: 'http://127.0.0.1:9', MX_CLIENT_ID: 'c' }, /^mx-lifecycle onboard: the API key is missing: set MX_API_KEY/],
      [['onboard', input, '--base-url', 'int-api.mx.com'], env, /^mx-lifecycle onboard: --base-url must be an absolute http\(s\) URL/],
      [['onboard', input, '--store', 'mysql://x'], env, /^mx-lifecycle onboard: --store: unsupported store "mysql:…"/],
      [['status', 'spring'], {}, /^mx-lifecycle status: unexpected argument 'spring' \(name the job with --job\)/],
      [['launch'], {}, /^mx-lifecycle: unknown command 'launch'/],
      [['onbaord', input], {}, /^mx-lifecycle: unknown command 'onbaord' \(did you mean 'onboard'\? commands: /],
      [['onboard', input, '--concurency', '4'], env, /^mx-lifecycle onboard: Unknown option '--concurency'; did you mean '--concurrency'\? \(see/],
      [['export', '--jbo', 'x'], {}, /^mx-lifecycle export: Unknown option '--jbo'; did you mean '--job'\?/],
      // retry takes the webhook receiver's flags, as onboard and offboard do.
      [['retry', '--job', 'x', '--webhook-port', 'notaport'], env, /^mx-lifecycle retry: --webhook-port must be a whole number from 0 to 65535, not 'notaport'/],
    ];
    const runs = await Promise.all(cases.map(([args, caseEnv]) => cli(args, { cwd: dir, env: caseEnv })));
    runs.forEach((run, i) => {
      const [args, , pattern] = cases[i] ?? [[], {}, /$^/];
      expect(run.code, args.join(' ')).toBe(64);
      expect(run.stderr.trimEnd().split('\n'), args.join(' ')).toEqual([expect.stringMatching(pattern)]);
      noStack(run.stderr);
      expect(run.stdout).toBe('');
    });
  });

  it('prints its version with --version', async () => {
    const run = await cli(['--version'], { cwd: workdir() });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`mx-lifecycle ${(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version}\n`);
  });

  it('explains a missing, empty, binary or directory INPUT in one line and exits 64 before anything runs', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'empty.jsonl'), '');
    writeFileSync(join(dir, 'photo.jsonl'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x1a, 0x0a]));
    mkdirSync(join(dir, 'folder.jsonl'));
    const cases: [string, RegExp][] = [
      ['missing.jsonl', /missing\.jsonl does not exist$/],
      ['empty.jsonl', /empty\.jsonl is empty: give one customer per line \(JSONL\) or a CSV with a header row$/],
      ['photo.jsonl', /photo\.jsonl looks like a binary file; expected JSON Lines or CSV text$/],
      ['folder.jsonl', /folder\.jsonl is a directory, not an input file$/],
    ];
    const runs = await Promise.all(cases.map(([file]) => cli(['onboard', file], { cwd: dir, env })));
    runs.forEach((run, i) => {
      const [file, pattern] = cases[i] ?? ['', /$^/];
      expect(run.code, file).toBe(64);
      expect(run.stderr.trimEnd().split('\n'), file).toEqual([expect.stringMatching(new RegExp(`^mx-lifecycle onboard: ${pattern.source}`))]);
    });
    // Nothing was started: no store was created for any of them.
    const status = await cli(['status'], { cwd: dir });
    expect(status.stdout).toMatch(/^no jobs found/);
  });

  it('reports a store that cannot be opened in one line with exit 69', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'c.jsonl', [{ id: 'u-1', members: [] }]);
    writeFileSync(join(dir, 'not-a-folder'), 'x');
    const run = await cli(['onboard', input, '--store', 'sqlite:not-a-folder/job.sqlite', '--report', 'r.json'], { cwd: dir, env });
    expect(run.code).toBe(69);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^mx-lifecycle onboard: cannot open the store sqlite:not-a-folder\/job\.sqlite: E(EXIST|NOTDIR)/),
    ]);
  });

  it('reports an unexpected failure in one line with exit 70, and the stack only with DEBUG=mx-lifecycle', async () => {
    const dir = workdir();
    const input = writeJsonl(dir, 'c.jsonl', [{ id: 'u-1', members: [] }]);
    // A store written by a newer release: nothing this release can expect to handle.
    const newer = new Database(join(dir, 'newer.sqlite'));
    newer.exec("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); INSERT INTO meta VALUES ('schema_version', '999')");
    newer.close();
    const args = ['onboard', input, '--store', 'sqlite:newer.sqlite'];
    const plain = await cli(args, { cwd: dir, env });
    expect(plain.code).toBe(70);
    expect(plain.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^mx-lifecycle onboard: unexpected error: cannot open the store sqlite:newer\.sqlite: .* \(DEBUG=mx-lifecycle shows the stack\)$/),
    ]);
    const debug = await cli(args, { cwd: dir, env: { ...env, DEBUG: 'mx-lifecycle' } });
    expect(debug.code).toBe(70);
    expect(debug.stderr).toMatch(/^\s+at /m);
  });

  it('shows every command in --help and each command\'s flags in its own --help', async () => {
    const dir = workdir();
    const [all, onboard] = await Promise.all([cli(['--help'], { cwd: dir }), cli(['onboard', '--help'], { cwd: dir })]);
    expect(all.code).toBe(0);
    for (const name of ['onboard', 'offboard', 'status', 'demo', 'sandbox']) expect(all.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(onboard.code).toBe(0);
    for (const flag of ['--job', '--base-url', '--client-id', '--api-key', '--auth', '--api-version', '--dialect', '--store', '--redis', '--concurrency', '--max-concurrency', '--rate', '--report', '--inspect', '--json', '--poll-interval-ms', '--max-attempts', '--timeout-ms']) {
      expect(onboard.stdout).toContain(`  ${flag} `);
    }
  });
});
