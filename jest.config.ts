import type { Config } from 'jest';

const tsJest: Config['transform'] = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
};

const config: Config = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/test/bench/'],
      transform: tsJest,
    },
    {
      displayName: 'marbles',
      testEnvironment: 'node',
      roots: ['<rootDir>/marbles'],
      testMatch: ['**/*.spec.ts'],
      transform: tsJest,
    },
  ],
};

export default config;
