/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) by layer: each sample goes to the innermost frame
 * that belongs to a known package or library folder, so a fetch made by the runtime counts as
 * undici, and a transition as xstate. Then the heaviest frames by self time.
 *
 * Usage: node --import tsx test/bench/profile.ts FILE.cpuprofile [TOP]
 * Profiles of the bench's children: BENCH_CPU_PROF=DIR npm run bench overhead
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Layers, most specific first; a frame outside all of them gives its sample to its caller. */
const LAYERS: ReadonlyArray<[string, RegExp]> = [
  ['undici (HTTP)', /node_modules\/undici\//],
  ['bottleneck (limiter queue)', /node_modules\/bottleneck\//],
  ['xstate (machines)', /node_modules\/xstate\//],
  ['better-sqlite3 + store', /node_modules\/better-sqlite3\/|\/src\/durable\/store\//],
  ['client (src/http, src/api, src/errors)', /\/src\/(http|api|errors)\//],
  ['runtime (src/durable)', /\/src\/durable\//],
  ['statecharts (machines/)', /\/machines\//],
  ['CLI + input', /\/src\/(cli|input)\//],
  ['bare script', /children\/bare/],
];

const SPECIAL = new Set(['(garbage collector)', '(idle)', '(program)']);

export function summarise(profile: Profile, top = 15): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const layerOf = new Map<number, string>();
  const layer = (id: number): string => {
    const known = layerOf.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const name = node.callFrame.functionName;
    let found = SPECIAL.has(name) ? name : LAYERS.find(([, pattern]) => pattern.test(node.callFrame.url))?.[0];
    if (!found) {
      const up = parent.get(id);
      found = up === undefined ? 'node internals' : layer(up);
    }
    layerOf.set(id, found);
    return found;
  };
  const layers = new Map<string, number>();
  const frames = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    layers.set(layer(id), (layers.get(layer(id)) ?? 0) + us);
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const where = url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(dist|work\/main)\//, '');
    const frame = `${functionName || '(anonymous)'} ${where}${url ? `:${lineNumber + 1}` : ''}`;
    frames.set(frame, (frames.get(frame) ?? 0) + us);
  });
  const busy = total - (layers.get('(idle)') ?? 0);
  const lines = [`sampled ${(total / 1e6).toFixed(2)} s, busy ${(busy / 1e6).toFixed(2)} s`, '', 'by layer (share of busy time):'];
  for (const [name, us] of [...layers].filter(([name]) => name !== '(idle)').toSorted((a, b) => b[1] - a[1])) {
    lines.push(`  ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${(us / 1e6).toFixed(2).padStart(6)} s  ${name}`);
  }
  lines.push('', `top ${top} frames by self time:`);
  for (const [frame, us] of [...frames].filter(([f]) => !f.startsWith('(idle)')).toSorted((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${((us / busy) * 100).toFixed(1).padStart(5)} %  ${frame}`);
  }
  return lines.join('\n');
}

const [file, top] = process.argv.slice(2);
if (file) console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, top ? Number(top) : 15));
