import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { defineConfig } from 'tsup';
import { actionConfig } from '../action-kit/tsup.action';

const actions = ['compute-tags', 'promote', 'rollback', 'cleanup', 'classify-ref'];

/**
 * One ESM file `dist/cli.mjs` with every dependency bundled (their licences in `dist/licenses.txt`),
 * and beside it each action exactly as it
 * ships: `dist/actions/<name>/action.yml` and its built bundle `dist/actions/<name>/dist/` (copied
 * from packages/action-<name>, built first by turbo), which the subcommands run.
 */
export default defineConfig({
  // The actions' bundle options (node20 ESM, everything bundled, dist/licenses.txt), one entry.
  ...actionConfig(),
  entry: { cli: 'src/cli.ts' },
  splitting: false,
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
