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
};
