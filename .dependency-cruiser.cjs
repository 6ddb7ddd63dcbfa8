/** Architecture rules from DESIGN.md, checked in CI (`npm run lint`). */
const DOMAIN =
  '(master-data|planning|production|inventory|quality|traceability|maintenance|wms-bridge|erp-bridge|machine-data|alerts|analytics|ui)';
const LISTENERS = '(traceability|wms-bridge|erp-bridge|alerts|analytics)';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle means a use case is in the wrong module or should be an event.',
      from: { path: '^src' },
      to: { circular: true },
    },
    {
      name: 'engines-are-pure',
      severity: 'error',
      comment:
        'Engines (APS, SPC, OEE, rules) import only other engine files: no framework, no I/O, no clock.',
      from: { path: '^src/.+/engine/' },
      to: { pathNot: '^src/.+/engine/' },
    },
    {
      name: 'platform-imports-no-domain-module',
      severity: 'error',
      from: { path: '^src/platform/' },
      to: { path: `^src/${DOMAIN}/` },
    },
    {
      name: 'cross-module-through-facade-or-events',
      severity: 'error',
      comment: 'Another module is reached only through its facade, its events or its Nest module.',
      from: { path: `^src/${DOMAIN}/` },
      to: {
        path: `^src/${DOMAIN}/`,
        pathNot: [`^src/$1/`, `^src/${DOMAIN}/[^/]+\\.(facade|events|module)\\.ts$`],
      },
    },
    {
      name: 'nobody-imports-a-listener',
      severity: 'error',
      comment: 'Listener modules react to events; only the app module wires them.',
      from: { path: '^src/', pathNot: [`^src/${LISTENERS}/`, '^src/app\\.module\\.ts$'] },
      to: { path: `^src/${LISTENERS}/` },
    },
    {
      name: 'no-test-code-in-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.spec\\.ts$' },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
