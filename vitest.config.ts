import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // One test file per core (vitest's default leaves one core idle: on the 2-core CI
    // machine that is half of it). Much of the suite waits on child processes and shards.
    maxWorkers: availableParallelism(),
  },
});
