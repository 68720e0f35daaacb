import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = {
  '@tagwright/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
  '@tagwright/testkit': fileURLToPath(new URL('./packages/testkit/src/index.ts', import.meta.url)),
  '@tagwright/action-kit': fileURLToPath(new URL('./packages/action-kit/src/index.ts', import.meta.url)),
};

/**
 * Two projects: `unit` (pure, fast, next to the code) and `itg` (real registry, real git,
 * the GitHub API double, the actions run the way the runner runs them).
 */
export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.itg.test.ts', '**/node_modules/**'],
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'itg',
          include: ['packages/*/{src,test}/**/*.itg.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // Registries and git repos are real processes; two cores on this machine.
          maxWorkers: 2,
        },
      },
    ],
  },
});
