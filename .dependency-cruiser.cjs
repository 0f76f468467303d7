/**
 * The import boundaries of mx-lifecycle, checked by `npm run lint`.
 *
 * A top-level folder is `machines/` or a folder directly under `src/` (src/index.ts, the main
 * entry, stands alone at the top). For an import from a file in one top-level folder A into a file
 * in another top-level folder B:
 * 1. front door: the imported file is B/index.ts, or B/_internals/index.ts, B's private door: the
 *    plumbing other folders of this package need and no entry exports (for a package entry:
 *    machines, src/sandbox, src/observe, src/links), or the small pieces another folder reads
 *    without loading all of B (the command line's flag table reads defaults this way: through
 *    src/api's index a usage error loaded the client, zod and undici, 1.7 times the start-up).
 *    Nothing else under B/_internals/ is imported from outside B.
 * 2. layers: B sits in a lower layer of LAYERS than A. No import runs up a layer or sideways
 *    between two folders of one layer, through a front door or not.
 * 3. anywhere, inside a folder too: no circle of imports, type-only imports included.
 */
const LAYERS = [
  ['src/_internals', 'src/errors'],
  ['src/http'],
  ['src/api'],
  ['machines', 'src/input', 'src/sandbox'],
  ['src/durable'],
  ['src/observe', 'src/webhooks'],
  ['src/links'],
  ['src/index.ts', 'src/cli'],
];

const escape = (path) => path.replace(/[.]/g, '\\.');
const pattern = (paths) => `^(${paths.map(escape).join('|')})(/|$)`;

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${i}-not-up`,
  comment: `${layer.join(', ')} may import only from a lower layer`,
  severity: 'error',
  from: { path: pattern(layer) },
  to: { path: pattern(LAYERS.slice(i).flat()), pathNot: '^$1/' },
}));

module.exports = {
  forbidden: [
    {
      name: 'front-door',
      comment: 'between top-level folders, import the folder index.ts (or an entry folder\'s _internals/index.ts)',
      severity: 'error',
      from: { path: '^(machines|src/[^/]+)/' },
      to: {
        path: '^(machines|src/[^/]+)/',
        pathNot: ['^$1/', '^(machines|src/[^/]+)/index\\.ts$', '^(machines|src/[^/]+)/_internals/index\\.ts$'],
      },
    },
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'no two modules import each other, directly or through others, types included',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
