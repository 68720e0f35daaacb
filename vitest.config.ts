import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const coreSrc = fileURLToPath(new URL('./packages/core/src/', import.meta.url));
const alias = [
  { find: /^@tagwright\/core\/(errors|redact|sigstore\/storage|rollback\/release)$/, replacement: `${coreSrc}$1.ts` },
  { find: /^@tagwright\/core\/([a-z-]+)$/, replacement: `${coreSrc}$1/index.ts` },
  { find: /^@tagwright\/core$/, replacement: `${coreSrc}index.ts` },
  { find: /^@tagwright\/testkit$/, replacement: fileURLToPath(new URL('./packages/testkit/src/index.ts', import.meta.url)) },
  { find: /^@tagwright\/action-kit\/([a-z-]+)$/, replacement: fileURLToPath(new URL('./packages/action-kit/src/$1.ts', import.meta.url)) },
  { find: /^@tagwright\/action-kit$/, replacement: fileURLToPath(new URL('./packages/action-kit/src/index.ts', import.meta.url)) },
];

/**
 * Two projects: `unit` (pure, fast, next to the code) and `itg` (real registry, real git,
 * the GitHub API double, the actions run the way the runner runs them).
 */
export default defineConfig({
  resolve: { alias },
  test: {
    // Registries and git repos are real processes; two cores on this machine.
    maxWorkers: 2,
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['**/*.itg.test.ts', '**/node_modules/**'],
          // A few unit tests start node or the TypeScript compiler; a busy two-core machine slows them.
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'itg',
          include: ['packages/*/{src,test}/**/*.itg.test.ts', 'scripts/**/*.itg.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
