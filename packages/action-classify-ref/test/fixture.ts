import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GIT_TEST_IDENTITY } from '@tagwright/testkit';

/** The kinds of clone a CI job makes. */
export type CloneType = 'full' | 'depth-1' | 'no-tags' | 'single-branch';

const cloneArgs: Record<CloneType, string[]> = {
  full: [],
  'depth-1': ['--depth', '1'],
  'no-tags': ['--no-tags'],
  'single-branch': ['--single-branch', '--branch', 'main'],
};

/**
 * A real git fixture in a temp dir: a source repository (main A-B-C, feature A-F, lightweight tag
 * v1.0.0 at A, annotated tag v2.0.0 at B, `same` both a tag at A and a branch at B), a bare
 * remote cloned from it, and fresh clones of the remote over file:// (so that --depth works).
 * Git runs with its own global config file; the user's ~/.gitconfig is never read.
 */
export interface GitFixture {
  root: string;
  /** Environment for git: GIT_CONFIG_GLOBAL in the temp dir, author and committer set. */
  env: Record<string, string>;
  commits: { A: string; B: string; C: string; F: string };
  /** A fresh clone; its name is relative to root. */
  clone(type: CloneType): { dir: string; name: string };
  git(cwd: string, ...args: string[]): string;
  remove(): void;
}

export function createGitFixture(): GitFixture {
  const root = mkdtempSync(join(tmpdir(), 'tagwright-classify-ref-'));
  const env: Record<string, string> = {
    GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
    ...GIT_TEST_IDENTITY,
  };
  const processEnv = { ...process.env, ...env };
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: processEnv, encoding: 'utf8' }).trim();
  writeFileSync(env.GIT_CONFIG_GLOBAL!, '[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n');
  const source = join(root, 'source');
  git(root, 'init', '-q', '-b', 'main', source);
  const commit = (message: string) => {
    writeFileSync(join(source, 'file.txt'), `${message}\n`);
    git(source, 'add', 'file.txt');
    git(source, 'commit', '-q', '-m', message);
    return git(source, 'rev-parse', 'HEAD');
  };
  const A = commit('A');
  const B = commit('B');
  const C = commit('C');
  git(source, 'tag', 'v1.0.0', A);
  git(source, 'tag', '-a', 'v2.0.0', '-m', 'release 2.0.0', B);
  git(source, 'tag', '-a', 'same', '-m', 'a tag named like a branch', A);
  git(source, 'branch', 'same', B);
  git(source, 'checkout', '-q', '-b', 'feature', A);
  const F = commit('F');
  git(source, 'checkout', '-q', 'main');
  const remote = join(root, 'remote.git');
  git(root, 'clone', '-q', '--bare', source, remote);
  let count = 0;
  return {
    root,
    env,
    commits: { A, B, C, F },
    clone(type) {
      const name = `clone-${type}-${count++}`;
      git(root, 'clone', '-q', ...cloneArgs[type], `file://${remote}`, name);
      return { dir: join(root, name), name };
    },
    git,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}
