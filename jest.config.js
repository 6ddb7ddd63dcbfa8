// Jest 30 + @swc/jest. NestJS 12 packages are ESM-only; on Node < 24.9 jest cannot require(esm), so the
// ESM-only packages in node_modules are transpiled to CommonJS by swc as well.
const fs = require('node:fs');
const swcrc = JSON.parse(fs.readFileSync(__dirname + '/.swcrc', 'utf8'));
const esmOnly = [
  '@nestjs',
  '@borewit',
  '@tokenizer',
  '@standard-schema',
  'file-type',
  'strtok3',
  'token-types',
  'uint8array-extras',
  'libphonenumber-js',
  '@fastify/static', // and its own ESM-only content-disposition:
  'content-disposition',
];

module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  roots: ['<rootDir>/src', '<rootDir>/test', '<rootDir>/seeds', '<rootDir>/migrations'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.(t|j)s$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testEnvironment: 'node',
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/test-env.ts'],
  testTimeout: 60000,
  // The suites share one database and run one after another, in one worker process that jest replaces once it
  // holds more than this after a test file: each file loads the whole application again (NestJS, TypeORM, the
  // entity classes), and in one long-lived process (--runInBand) the heap grew by 60–110 MB per file until it
  // ran out near 3.5 GB.
  maxWorkers: 1,
  workerIdleMemoryLimit: '1GB',
};
