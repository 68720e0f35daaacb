import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'tsup';

const actions = ['compute-tags', 'promote', 'rollback', 'cleanup', 'classify-ref'];

/**
 * One ESM file `dist/cli.mjs` with every dependency bundled, and beside it each action exactly as it
 * ships: `dist/actions/<name>/action.yml` and its built bundle `dist/actions/<name>/dist/` (copied
 * from packages/action-<name>, built first by turbo), which the subcommands run.
 */
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outExtension: () => ({ js: '.mjs' }),
  noExternal: [/.*/],
  clean: true,
  minify: false,
  sourcemap: false,
  shims: false,
  banner: { js: "import { createRequire as __twCreateRequire } from 'node:module'; const require = __twCreateRequire(import.meta.url);" },
  onSuccess: async () => {
    for (const name of actions) {
      const from = path.join('..', `action-${name}`);
      const to = path.join('dist', 'actions', name);
      rmSync(to, { recursive: true, force: true });
      mkdirSync(path.join(to, 'dist'), { recursive: true });
      cpSync(path.join(from, 'action.yml'), path.join(to, 'action.yml'));
      for (const file of readdirSync(path.join(from, 'dist'))) {
        if (file.startsWith('metafile')) continue;
        cpSync(path.join(from, 'dist', file), path.join(to, 'dist', file), { recursive: true });
      }
    }
  },
});
