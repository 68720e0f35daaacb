/**
 * Writes the consumer-facing action.yml at the repository root (`compute-tags/action.yml`, …)
 * from each package's action.yml, so that a workflow can say `uses: OWNER/REPO/compute-tags@v2`.
 * The root copy runs the same bundle through `$GITHUB_ACTION_PATH/../packages/action-<name>/dist/`.
 *
 *   node --import tsx scripts/sync-actions.ts          write the root copies
 *   node --import tsx scripts/sync-actions.ts --check  exit 1 when a root copy is stale
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The root copy of a package action.yml: same inputs/outputs, bundle path pointing into packages/. */
export function rootActionYml(name: string, packageYml: string): string {
  const header = `# Generated from packages/action-${name}/action.yml by scripts/sync-actions.ts; edit that file.\n`;
  return header + packageYml.replaceAll('$GITHUB_ACTION_PATH/dist/', `$GITHUB_ACTION_PATH/../packages/action-${name}/dist/`);
}

/** Every action package name (`compute-tags`, `promote`, …) that has an action.yml. */
export function actionNames(): string[] {
  return readdirSync(path.join(root, 'packages'))
    .filter((dir) => dir.startsWith('action-') && dir !== 'action-kit')
    .filter((dir) => existsSync(path.join(root, 'packages', dir, 'action.yml')))
    .map((dir) => dir.slice('action-'.length))
    .sort();
}

function main(check: boolean): number {
  let stale = 0;
  for (const name of actionNames()) {
    const wanted = rootActionYml(name, readFileSync(path.join(root, 'packages', `action-${name}`, 'action.yml'), 'utf8'));
    const target = path.join(root, name, 'action.yml');
    const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (current === wanted) continue;
    if (check) {
      console.error(`${name}/action.yml is stale: run node --import tsx scripts/sync-actions.ts`);
      stale++;
    } else {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, wanted);
      console.log(`wrote ${name}/action.yml`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.includes('--check'));
}
