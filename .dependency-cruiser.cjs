/**
 * The import boundaries of mx-lifecycle, checked by `npm run lint` (see docs/architecture.md).
 *
 * A top-level folder is `machines/` or a folder directly under `src/`. Between two of them:
 * 1. front door: an import goes to the other folder's `index.ts`, or, for a folder that is also a
 *    package entry (machines, src/sandbox, src/observe, src/links), to its private door
 *    `_internals/index.ts`, which holds the plumbing other folders need and no entry exports;
 * 2. layers: an import goes only to a folder of a lower layer in LAYERS (never up, never sideways);
 * 3. anywhere: no circle of imports that run (type-only loops are erased by the compiler).
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

// src/cli is being reorganised on its own; it is checked as an importer once that lands.
const EXEMPT_IMPORTERS = '^src/cli/';

const layerRules = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `layer-${i}-not-up`,
  comment: `${layer.join(', ')} may import only from a lower layer`,
  severity: 'error',
  from: { path: pattern(layer), pathNot: EXEMPT_IMPORTERS },
  to: { path: pattern(LAYERS.slice(i).flat()), pathNot: '^$1/' },
}));

module.exports = {
  forbidden: [
    {
      name: 'front-door',
      comment: 'between top-level folders, import the folder index.ts (or an entry folder\'s _internals/index.ts)',
      severity: 'error',
      from: { path: '^(machines|src/[^/]+)/', pathNot: EXEMPT_IMPORTERS },
      to: {
        path: '^(machines|src/[^/]+)/',
        pathNot: ['^$1/', '^(machines|src/[^/]+)/index\\.ts$', '^(machines|src/sandbox|src/observe|src/links)/_internals/index\\.ts$'],
      },
    },
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'no two modules import each other at run time, directly or through others',
      severity: 'error',
      from: {},
      // A loop of type-only imports is erased by the compiler and cannot change load order; two
      // remain in src/durable (pauseWatch/runtimeTypes, effects/endUserEffects).
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
