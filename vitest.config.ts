import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One local stack (DynamoDB Local, s3rver, fauxqs, the API) for the whole run, on free ports and a
    // fresh data folder; tests reach it through inject('localStack') and the usual AWS_* variables.
    globalSetup: ['test/support/global-setup.ts'],
    setupFiles: ['test/support/setup-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
