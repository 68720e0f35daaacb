import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { notesFromCommits, parseConventionalCommit, type CommitInfo } from './notes.js';

const author = { name: 'Ada', email: 'ada@example.com' };
const sha = (n: number): string => n.toString(16).padStart(40, 'a');
const commit = (n: number, subject: string, body = '', extra: Partial<CommitInfo> = {}): CommitInfo => ({
  sha: sha(n),
  subject,
  body,
  author,
  ...extra,
});
const repoUrl = 'https://github.com/acme/app';

describe('parseConventionalCommit', () => {
  describe('when the subject follows Conventional Commits', () => {
    it.each([
      ['feat: add x', '', { type: 'feat', description: 'add x', breaking: false }],
      ['fix(api): y', '', { type: 'fix', scope: 'api', description: 'y', breaking: false }],
      ['feat(api)!: drop v1', '', { type: 'feat', scope: 'api', description: 'drop v1', breaking: true }],
      ['Feat: caps', '', { type: 'feat', description: 'caps', breaking: false }],
      [
        'refactor: z',
        'Some text.\n\nBREAKING CHANGE: config moved\nto a new file\nReviewed-by: Bo',
        { type: 'refactor', description: 'z', breaking: true, breakingNote: 'config moved\nto a new file' },
      ],
      ['chore: w', 'BREAKING-CHANGE: gone', { type: 'chore', description: 'w', breaking: true, breakingNote: 'gone' }],
    ])('%j parses', (subject, body, expected) => {
      expect(parseConventionalCommit(subject, body)).toEqual(expected);
    });
  });

  describe('when the subject is free text', () => {
    it('keeps the subject as description', () => {
      expect(parseConventionalCommit('Update README')).toEqual({ description: 'Update README', breaking: false });
    });
  });
});

describe('notesFromCommits', () => {
  describe('when commits of every kind are given', () => {
    it('lists breaking changes, features, fixes, then others, each linking its commit or PR', () => {
      const notes = notesFromCommits(
        [
          commit(1, 'docs: typo'),
          commit(2, 'fix(registry): retry on 503 (#12)'),
          commit(3, 'feat: staging counter', '', { prNumber: 7 }),
          commit(4, 'feat!: drop node 18'),
          commit(5, 'Merge pull request #9 from acme/x', '', { parents: [sha(3), sha(4)] }),
          commit(6, 'perf: faster'),
        ],
        { repoUrl: `${repoUrl}/`, from: 'v1.0.0', to: 'v1.1.0' },
      );
      expect(notes).toBe(
        [
          '### ⚠ Breaking changes',
          '',
          `- drop node 18 ([${sha(4).slice(0, 7)}](${repoUrl}/commit/${sha(4)}))`,
          '',
          '### Features',
          '',
          `- staging counter ([#7](${repoUrl}/pull/7), [${sha(3).slice(0, 7)}](${repoUrl}/commit/${sha(3)}))`,
          '',
          '### Bug fixes',
          '',
          `- **registry:** retry on 503 ([#12](${repoUrl}/pull/12), [${sha(2).slice(0, 7)}](${repoUrl}/commit/${sha(2)}))`,
          '',
          '### Other changes',
          '',
          `- typo ([${sha(1).slice(0, 7)}](${repoUrl}/commit/${sha(1)}))`,
          `- faster ([${sha(6).slice(0, 7)}](${repoUrl}/commit/${sha(6)}))`,
          '',
          `**Full changelog**: ${repoUrl}/compare/v1.0.0...v1.1.0`,
          '',
        ].join('\n'),
      );
    });

    it('shows the BREAKING CHANGE footer under its line', () => {
      const notes = notesFromCommits([commit(1, 'feat: new config', 'BREAKING CHANGE: rename `a` to `b`')], { repoUrl });
      expect(notes).toContain(`- new config ([aaaaaaa](${repoUrl}/commit/${sha(1)}))\n  rename \`a\` to \`b\``);
    });

    it('escapes link syntax in descriptions', () => {
      expect(notesFromCommits([commit(1, 'fix: [x](http://evil) <b>')], { repoUrl })).toContain('\\[x\\](http://evil) \\<b\\>');
    });
  });

  describe('when nothing remains', () => {
    it('says so', () => {
      expect(notesFromCommits([], { repoUrl })).toBe('No changes.\n');
    });
  });

  describe('when the repository URL is bad', () => {
    it.each(['github.com/acme/app', 'ftp://x/y', 'https://user:secret@github.com/a/b'])('rejects %j', (url) => {
      expect(() => notesFromCommits([], { repoUrl: url })).toThrow(ConfigurationError);
      try {
        notesFromCommits([], { repoUrl: url });
      } catch (error) {
        expect(String(error)).not.toContain('secret');
      }
    });
  });
});
