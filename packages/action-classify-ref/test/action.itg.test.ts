import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runActionYml } from '@tagwright/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitFixture } from './fixture.js';
import type { GitFixture } from './fixture.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rootActionDir = path.resolve(packageDir, '../../classify-ref');
const cli = path.join(packageDir, 'dist/cli.mjs');
let fixture: GitFixture;

beforeAll(() => {
  // The root test command builds first; build here only when the bundle is missing.
  if (!existsSync(path.join(packageDir, 'dist/index.mjs')) || !existsSync(cli)) {
    execFileSync('pnpm', ['--filter', '@tagwright/action-classify-ref', 'build'], { cwd: packageDir, stdio: 'ignore' });
  }
  fixture = createGitFixture();
}, 120_000);

afterAll(() => {
  fixture.remove();
});

/** Runs the built action as the runner does, with the fixture root as the workspace. */
const runAction = (inputs: Record<string, string>, github: { ref?: string } = {}, actionDir = packageDir) =>
  runActionYml(actionDir, { inputs, github: { workspace: fixture.root, ...github }, env: fixture.env });

describe('classify-ref action', () => {
  describe('when the workflow runs on a release tag in a shallow clone', () => {
    it('classifies github.ref by default', async () => {
      const { name } = fixture.clone('depth-1');
      const result = await runAction({ path: name }, { ref: 'refs/tags/v2.0.0' });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs).toEqual({ kind: 'tag', commit: fixture.commits.B, ref: 'refs/tags/v2.0.0' });
      expect(result.summary).toContain('| Kind | tag |');
      expect(result.summary).toContain('| Answered by | remote origin |');
    });
  });

  describe('when checkout is true', () => {
    it.each([
      { ref: 'v1.0.0', commit: 'A' as const, head: 'detached' },
      { ref: 'feature', commit: 'F' as const, head: 'refs/heads/feature' },
    ])('checks out $ref at $commit', async ({ ref, commit, head }) => {
      const { dir, name } = fixture.clone('no-tags');
      const result = await runAction({ ref, path: name, checkout: 'true' });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs.commit).toBe(fixture.commits[commit]);
      expect(fixture.git(dir, 'rev-parse', 'HEAD')).toBe(fixture.commits[commit]);
      const symbolic = (() => {
        try {
          return fixture.git(dir, 'symbolic-ref', '-q', 'HEAD');
        } catch {
          return 'detached';
        }
      })();
      expect(symbolic).toBe(head);
    });
  });

  describe('when the name is both a tag and a branch', () => {
    it('fails naming both commits', async () => {
      const { name } = fixture.clone('full');
      const result = await runAction({ ref: 'same', path: name });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain(
        `::error::classify ref "same": it is both tag refs/tags/same (commit ${fixture.commits.A}) and branch refs/heads/same (commit ${fixture.commits.B})`,
      );
    });

    it('takes the preferred kind with a warning', async () => {
      const { name } = fixture.clone('full');
      const result = await runAction({ ref: 'same', path: name, prefer: 'tag' });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs).toEqual({ kind: 'tag', commit: fixture.commits.A, ref: 'refs/tags/same' });
      expect(result.stdout).toContain('::warning::same is both a tag');
    });
  });

  describe('when an input is wrong', () => {
    it('fails naming the input before running git', async () => {
      const { name } = fixture.clone('full');
      const result = await runAction({ ref: 'main', path: name, prefer: 'newest' });
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toContain('::error::Configuration error: read input prefer: "newest" is not one of tag, branch');
    });
  });

  describe('when the ref carries shell metacharacters', () => {
    it.each(['$(touch pwned)', '$(touch${IFS}pwned)', '`touch${IFS}pwned`', ';touch${IFS}pwned', 'x|touch${IFS}pwned'])(
      '%s fails without being executed',
      async (ref) => {
        const { dir, name } = fixture.clone('depth-1');
        const result = await runAction({ ref, path: name });
        expect(result.exitCode).toBe(1);
        expect(result.stdout).toMatch(/::error::(Configuration error: read input ref|classify ref)/);
        expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
        expect(existsSync(path.join(fixture.root, 'pwned'))).toBe(false);
      },
    );
  });

  describe('when used from the repository root (uses: OWNER/REPO/classify-ref@v2)', () => {
    it('runs the same bundle', async () => {
      const { name } = fixture.clone('single-branch');
      const result = await runAction({ ref: 'feature', path: name }, {}, rootActionDir);
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.outputs).toEqual({ kind: 'branch', commit: fixture.commits.F, ref: 'refs/heads/feature' });
    });
  });
});

/** Runs the command line as a test driver would: JSON on stdout, or JSON on stderr and exit 1. */
function runCli(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { cwd, env: { ...process.env, ...fixture.env, GITHUB_REF: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('tagwright-classify-ref command line', () => {
  describe('when the ref exists', () => {
    it('prints the classification as JSON', async () => {
      const { dir } = fixture.clone('depth-1');
      const result = await runCli(['--ref', 'v2.0.0'], dir);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({ kind: 'tag', commit: fixture.commits.B, ref: 'refs/tags/v2.0.0', source: 'remote' });
    });

    it('checks it out with --checkout', async () => {
      const { dir, name } = fixture.clone('depth-1');
      const result = await runCli(['--ref', fixture.commits.B, '--path', name, '--checkout'], fixture.root);
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual({
        kind: 'sha',
        commit: fixture.commits.B,
        ref: fixture.commits.B,
        source: 'remote',
        // Classifying already fetched the commit's objects (to check it is a commit); checkout needs no second fetch.
        checkout: { commit: fixture.commits.B, detached: true, fetched: false },
      });
      expect(fixture.git(dir, 'rev-parse', 'HEAD')).toBe(fixture.commits.B);
    });

    it('reports an ambiguous name resolved by --prefer', async () => {
      const { dir } = fixture.clone('no-tags');
      const result = await runCli(['--ref', 'same', '--prefer', 'branch'], dir);
      expect(JSON.parse(result.stdout)).toEqual({
        kind: 'branch',
        commit: fixture.commits.B,
        ref: 'refs/heads/same',
        source: 'remote',
        ambiguous: { tag: fixture.commits.A, branch: fixture.commits.B },
      });
    });
  });

  describe('when it fails', () => {
    it.each([
      [['--ref', 'same'], { name: 'GitRefError', code: 'AMBIGUOUS_REF' }],
      [['--ref', 'nope'], { name: 'GitRefError', code: 'REF_NOT_FOUND' }],
      [['--ref', 'a..b'], { name: 'GitRefError', code: 'INVALID_REF' }],
      [['--ref', 'main', '--prefer', 'x'], { name: 'ConfigurationError', code: 'INVALID_INPUT' }],
      [[], { name: 'ConfigurationError', code: 'MISSING_INPUT', message: 'read --ref: it is required and was empty' }],
      [['--bogus'], { name: 'TypeError', code: 'ERR_PARSE_ARGS_UNKNOWN_OPTION' }],
    ])('%j exits 1 with a JSON error on stderr', async (args, error) => {
      const { dir } = fixture.clone('full');
      const result = await runCli(args, dir);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const line = result.stderr.trim().split('\n').at(-1) ?? '';
      expect(JSON.parse(line)).toEqual({ error: expect.objectContaining(error) });
    });
  });
});
