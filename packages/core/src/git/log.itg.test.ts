import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notesFromCommits } from '../changelog/notes.js';
import { notesFromChangelog } from '../changelog/changelog-file.js';
import { previousRelease } from '../changelog/versions.js';
import { ConfigurationError } from '../errors.js';
import { createGitRunner } from './exec.js';
import { commitRange, readFileAtCommit, resolveCommit } from './log.js';
import { gitTestEnv } from '@tagwright/testkit';

const git = createGitRunner();
let dir: string;
const env = gitTestEnv({ HOME: tmpdir() });
const run = (...args: string[]): string => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
const commit = (message: string, file = 'file.txt'): string => {
  writeFileSync(join(dir, file), `${message}\n${Math.random()}\n`);
  run('add', '-A');
  run('commit', '-q', '-m', message);
  return run('rev-parse', 'HEAD');
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tagwright-log-'));
  run('init', '-q', '-b', 'main');
  run('config', 'commit.gpgsign', 'false');
  run('config', 'tag.gpgsign', 'false');
  commit('feat: first');
  writeFileSync(join(dir, 'CHANGELOG.md'), '# Changelog\n\n## [1.0.0] - 2026-01-01\n\n- first\n');
  run('add', 'CHANGELOG.md');
  run('commit', '-q', '-m', 'docs: changelog for 1.0.0');
  run('tag', '-a', 'v1.0.0', '-m', 'release 1.0.0');
  commit('fix: a bug (#3)');
  commit('feat(api)!: new api\n\nLonger explanation\nover two lines.\n\nBREAKING CHANGE: old endpoints are gone');
  run('tag', '-a', 'v1.1.0', '-m', 'release 1.1.0');
  commit('feat: next thing');
  run('tag', 'v1.2.0');
  // A backport branch from v1.0.0 with one fix, released as 1.0.1.
  run('checkout', '-q', '-b', 'release-1.0', 'v1.0.0');
  commit('fix: backported fix', 'backport.txt');
  run('tag', '-a', 'v1.0.1', '-m', 'release 1.0.1');
  run('checkout', '-q', 'main');
  run('checkout', '-q', '-b', 'topic');
  commit('feat: topic work', 'topic.txt');
  run('checkout', '-q', 'main');
  run('merge', '-q', '--no-ff', '-m', 'Merge pull request #9 from acme/topic', 'topic');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('commitRange', () => {
  describe('when given two annotated tags', () => {
    it('lists the commits between them, newest first, as data', async () => {
      const commits = await commitRange(git, dir, 'v1.0.0', 'v1.1.0');
      expect(commits.map((c) => c.subject)).toEqual(['feat(api)!: new api', 'fix: a bug (#3)']);
      const [breaking, fix] = commits;
      expect(breaking).toMatchObject({
        body: 'Longer explanation\nover two lines.\n\nBREAKING CHANGE: old endpoints are gone',
        author: { name: 'Ada Lovelace', email: 'ada@example.com' },
        parents: [fix!.sha],
      });
      expect(breaking!.sha).toBe(run('rev-parse', 'v1.1.0^{commit}'));
      expect(fix!.prNumber).toBe(3);
      expect(breaking!.authoredAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });
  });

  describe('when releasing a backport', () => {
    it('compares with the previous release on the same line', async () => {
      const tags = run('tag', '--list').split('\n');
      const from = previousRelease('v1.0.1', tags);
      expect(from).toBe('v1.0.0');
      const commits = await commitRange(git, dir, from, 'v1.0.1');
      expect(commits.map((c) => c.subject)).toEqual(['fix: backported fix']);
      const notes = notesFromCommits(commits, { repoUrl: 'https://github.com/acme/app', from, to: 'v1.0.1' });
      expect(notes).toContain('### Bug fixes\n\n- backported fix');
      expect(notes).not.toContain('new api');
    });
  });

  describe('when it is the first release', () => {
    it('lists every commit reachable from the tag', async () => {
      const commits = await commitRange(git, dir, undefined, 'v1.0.0');
      expect(commits.map((c) => c.subject)).toEqual(['docs: changelog for 1.0.0', 'feat: first']);
      expect(commits[1]!.parents).toEqual([]);
    });
  });

  describe('when the range contains a merge', () => {
    it('returns the merge with both parents and the notes leave it out', async () => {
      const commits = await commitRange(git, dir, 'v1.2.0', 'main');
      expect(commits.map((c) => c.subject)).toEqual(['Merge pull request #9 from acme/topic', 'feat: topic work']);
      expect(commits[0]!.parents).toHaveLength(2);
      expect(commits[0]!.prNumber).toBe(9);
      const notes = notesFromCommits(commits, { repoUrl: 'https://github.com/acme/app' });
      expect(notes).toBe(
        `### Features\n\n- topic work ([${commits[1]!.sha.slice(0, 7)}](https://github.com/acme/app/commit/${commits[1]!.sha}))\n`,
      );
    });

    it('renders breaking changes first from real commit messages', async () => {
      const notes = notesFromCommits(await commitRange(git, dir, 'v1.0.0', 'v1.2.0'), { repoUrl: 'https://github.com/acme/app' });
      expect(notes.indexOf('### ⚠ Breaking changes')).toBe(0);
      expect(notes).toContain('**api:** new api');
      expect(notes).toContain('  old endpoints are gone');
      expect(notes.indexOf('### Features')).toBeLessThan(notes.indexOf('### Bug fixes'));
    });
  });

  describe('when a revision is bad', () => {
    it.each([
      ['--output=/tmp/x', 'is not a valid git revision'],
      ['v9.9.9', 'does not name a commit'],
      ['v1.0.0..v1.1.0', 'is not a valid git revision'],
    ])('refuses %j before git log runs', async (from, message) => {
      await expect(commitRange(git, dir, from, 'main')).rejects.toThrow(ConfigurationError);
      await expect(commitRange(git, dir, from, 'main')).rejects.toThrow(message);
    });
  });
});

describe('readFileAtCommit', () => {
  describe('when the file exists at the tag', () => {
    it('reads it as committed and feeds notesFromChangelog', async () => {
      const content = await readFileAtCommit(git, dir, 'v1.0.0', 'CHANGELOG.md');
      expect(notesFromChangelog('1.0.0', { kind: 'keep-a-changelog', content: content! })).toBe('- first\n');
    });
  });

  describe('when the file is absent', () => {
    it('returns undefined', async () => {
      expect(await readFileAtCommit(git, dir, 'v1.0.0', 'topic.txt')).toBeUndefined();
    });

    it('refuses a path outside the repository', async () => {
      await expect(readFileAtCommit(git, dir, 'v1.0.0', '../etc/passwd')).rejects.toThrow(ConfigurationError);
    });
  });
});

describe('resolveCommit', () => {
  describe('when given an annotated tag', () => {
    it('peels it to the commit', async () => {
      expect(await resolveCommit(git, dir, 'v1.1.0')).toBe(run('rev-list', '-n', '1', 'v1.1.0'));
    });
  });
});
