import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'], environment: 'node', pool: 'forks' } },
      {
        test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], environment: 'node', pool: 'forks', testTimeout: 120_000 },
      },
      {
        // One Chromium at a time on a 2-core machine.
        test: { name: 'browser', include: ['tests/browser/**/*.test.ts'], environment: 'node', pool: 'forks', fileParallelism: false, testTimeout: 180_000, hookTimeout: 180_000 },
      },
    ],
  },
});
