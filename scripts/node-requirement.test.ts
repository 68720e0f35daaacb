import { execFile } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { actionNames } from './sync-actions.js';

const root = path.resolve(import.meta.dirname, '..');

/** bash by absolute path, so the step can run with a PATH that holds nothing but what a test puts there. */
const bash = (process.env.PATH ?? '/usr/bin:/bin')
  .split(path.delimiter)
  .map((dir) => path.join(dir, 'bash'))
  .find((file) => existsSync(file));

interface StepRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the composite step of an action.yml as the runner does (`bash --noprofile --norc -eo pipefail`,
 * `GITHUB_ACTION_PATH` set), with `PATH` exactly `pathDirs`.
 */
async function runStep(actionDir: string, pathDirs: string[]): Promise<StepRun> {
  const yml = parse(await readFile(path.join(actionDir, 'action.yml'), 'utf8')) as { runs: { steps: Array<{ run: string }> } };
  const [step] = yml.runs.steps;
  if (!step || yml.runs.steps.length !== 1) throw new Error(`${actionDir}/action.yml: expected one composite step`);
  const script = path.join(work, 'step.sh');
  await writeFile(script, step.run);
  return new Promise((resolve) => {
    execFile(
      bash!,
      ['--noprofile', '--norc', '-eo', 'pipefail', script],
      { env: { PATH: pathDirs.join(path.delimiter), GITHUB_ACTION_PATH: actionDir }, cwd: work },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
    );
  });
}

/** A directory with a `node` that prints `version` for `--version` and otherwise reports its arguments. */
async function fakeNode(version: string): Promise<string> {
  const dir = await mkdtemp(path.join(work, 'bin-'));
  await writeFile(
    path.join(dir, 'node'),
    `#!${bash}\nif [ "$1" = --version ]; then echo ${version}; else echo "bundle ran: $*"; fi\n`,
  );
  await chmod(path.join(dir, 'node'), 0o755);
  return dir;
}

let work: string;
beforeEach(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'tw-node-req-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const actionDirs = actionNames().flatMap((name) => [
  [`${name}/action.yml`, name, path.join(root, name)],
  [`packages/action-${name}/action.yml`, name, path.join(root, 'packages', `action-${name}`)],
]) as Array<[string, string, string]>;

describe('the Node.js requirement of every action', () => {
  it('covers the five actions, root and package copies', () => {
    expect(bash).toBeDefined();
    expect(actionNames()).toEqual(['classify-ref', 'cleanup', 'compute-tags', 'promote', 'rollback']);
  });

  describe('when no node is on PATH', () => {
    it.each(actionDirs)('%s fails with one ::error:: naming the fix', async (_, name, dir) => {
      const empty = await mkdtemp(path.join(work, 'empty-'));
      const run = await runStep(dir, [empty]);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(
        `::error::tagwright ${name} needs Node.js 20 or later, found no node on PATH. ` +
          'Add actions/setup-node with node-version: 20 (or later) before this step, ' +
          'or run on a runner image that has Node.js 20+ on PATH (GitHub-hosted ubuntu-24.04 does).\n',
      );
    });
  });

  // A stand-in script here (fast, offline); scripts/node-matrix.ts (run by .ci/run) runs a real Node 18.20.8 binary.
  describe('when node on PATH is Node.js 18', () => {
    it.each(actionDirs)('%s fails with one ::error:: naming the version found and the fix', async (_, name, dir) => {
      const bin = await fakeNode('v18.20.0');
      const run = await runStep(dir, [bin]);
      expect(run.code).toBe(1);
      expect(run.stdout.split('\n').filter(Boolean)).toEqual([
        `::error::tagwright ${name} needs Node.js 20 or later, found v18.20.0 at ${path.join(bin, 'node')}. ` +
          'Add actions/setup-node with node-version: 20 (or later) before this step, ' +
          'or run on a runner image that has Node.js 20+ on PATH (GitHub-hosted ubuntu-24.04 does).',
      ]);
      expect(run.stdout).not.toContain('bundle ran');
    });
  });

  describe('when node prints no version', () => {
    it('fails the same way rather than running the bundle', async () => {
      const bin = await fakeNode('');
      const run = await runStep(path.join(root, 'promote'), [bin]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('found a node that prints no version at');
    });
  });

  describe('when node on PATH is Node.js 20 or later', () => {
    it.each(actionDirs)('%s runs its bundle with it', async (_, name, dir) => {
      for (const version of ['v20.0.0', 'v24.9.0']) {
        const run = await runStep(dir, [await fakeNode(version)]);
        expect(run.code, run.stdout).toBe(0);
        const bundle = dir.includes('packages') ? `${dir}/dist/index.mjs` : `${dir}/../packages/action-${name}/dist/index.mjs`;
        expect(run.stdout).toBe(`bundle ran: ${bundle}\n`);
      }
    });
  });
});
