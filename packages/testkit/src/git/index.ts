import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commitRange, createGitRunner } from '@tagwright/core/git';
import type { SeedCommit } from '../github/state.js';

/** The git identity of commits made by tests (no system config is read). */
export const GIT_TEST_IDENTITY = {
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
} as const;

/** `process.env` with {@link GIT_TEST_IDENTITY} and `overrides`, for git run by tests. */
export function gitTestEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...GIT_TEST_IDENTITY, ...overrides };
}

/** A real git repository in a temp dir, for tests: run git in it, commit files, mirror it into a forge double. */
export interface GitWorkTree {
  /** The repository's directory. */
  readonly dir: string;
  /** Runs git in the repository (argument array, no shell); returns stdout trimmed. */
  git(...args: string[]): string;
  /**
   * Writes `file` (default `file.txt`; parent folders made) with `content` (default: the message and a
   * random line, so every commit changes something), stages everything and commits; returns the commit sha.
   */
  commit(message: string, file?: string, content?: string): string;
  /** Copies every commit and every branch and tag ref into a forge double's state (`api.state`). */
  mirror(state: { addCommits(commits: readonly SeedCommit[]): void; setRef(ref: string, sha: string): void }): Promise<void>;
  /** Deletes the directory. */
  remove(): void;
}

/** Makes a {@link GitWorkTree}: `git init -b main`, unsigned commits and tags, the test identity. */
export function createGitWorkTree(prefix = 'tw-git-'): GitWorkTree {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const env = gitTestEnv();
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  git('config', 'commit.gpgsign', 'false');
  git('config', 'tag.gpgsign', 'false');
  return {
    dir,
    git,
    commit(message, file = 'file.txt', content) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content ?? `${message}\n${Math.random()}\n`);
      git('add', '-A');
      git('commit', '-q', '-m', message);
      return git('rev-parse', 'HEAD');
    },
    async mirror(state) {
      const runner = createGitRunner({ env });
      for (const ref of git('for-each-ref', '--format=%(refname)', 'refs/heads', 'refs/tags').split('\n').filter(Boolean)) {
        state.addCommits(await commitRange(runner, dir, undefined, ref));
        state.setRef(ref, git('rev-parse', `${ref}^{commit}`));
      }
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
