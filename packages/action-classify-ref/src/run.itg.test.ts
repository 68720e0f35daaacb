import { GitRefError, createGitRunner } from '@tagwright/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitFixture } from '../test/fixture.js';
import type { GitFixture } from '../test/fixture.js';
import type { Deps } from './run.js';
import { run } from './run.js';

let fixture: GitFixture;
let logs: string[];
let deps: Deps;

beforeAll(() => {
  fixture = createGitFixture();
});

afterAll(() => {
  fixture.remove();
});

const setup = () => {
  logs = [];
  deps = {
    git: createGitRunner({ env: { ...process.env, ...fixture.env } }),
    cwd: fixture.root,
    info: (message) => logs.push(message),
  } satisfies Deps;
};

describe('run', () => {
  describe('when a shallow clone is asked about a release tag', () => {
    it('outputs kind, commit and the qualified ref, with a summary table', async () => {
      setup();
      const { name } = fixture.clone('depth-1');
      const result = await run({ ref: 'v2.0.0', path: name, remote: 'origin', checkout: false }, deps);
      expect(result.outputs).toEqual({ kind: 'tag', commit: fixture.commits.B, ref: 'refs/tags/v2.0.0' });
      expect(result.warnings).toEqual([]);
      expect(result.summary).toBe(
        '## classify-ref\n\n| Field | Value |\n| --- | --- |\n| Ref | v2.0.0 |\n| Kind | tag |\n| Qualified ref | refs/tags/v2.0.0 |\n' +
          `| Commit | ${fixture.commits.B} |\n| Answered by | remote origin |\n`,
      );
      expect(logs).toEqual([`v2.0.0 is tag refs/tags/v2.0.0 at ${fixture.commits.B} (from remote origin)`]);
    });
  });

  describe('when checkout is asked', () => {
    it.each([
      { ref: 'refs/tags/v1.0.0', kind: 'tag', commit: 'A' as const, head: 'detached HEAD' },
      { ref: 'feature', kind: 'branch', commit: 'F' as const, head: 'branch refs/heads/feature' },
    ])('checks $ref out and outputs the commit checked out', async ({ ref, kind, commit, head }) => {
      setup();
      const { dir, name } = fixture.clone('single-branch');
      const result = await run({ ref, path: name, remote: 'origin', checkout: true }, deps);
      expect(result.outputs).toMatchObject({ kind, commit: fixture.commits[commit] });
      expect(fixture.git(dir, 'rev-parse', 'HEAD')).toBe(fixture.commits[commit]);
      expect(result.summary).toContain(`| Checked out | ${head} |`);
    });
  });

  describe('when a bare name is both a tag and a branch', () => {
    it('fails naming both commits without prefer', async () => {
      setup();
      const { name } = fixture.clone('full');
      const error = await run({ ref: 'same', path: name, remote: 'origin', checkout: false }, deps).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GitRefError);
      expect((error as GitRefError).ambiguous).toEqual({ tag: fixture.commits.A, branch: fixture.commits.B });
    });

    it('takes the preferred kind and warns', async () => {
      setup();
      const { name } = fixture.clone('depth-1');
      const result = await run({ ref: 'same', path: name, remote: 'origin', checkout: false, prefer: 'branch' }, deps);
      expect(result.outputs).toEqual({ kind: 'branch', commit: fixture.commits.B, ref: 'refs/heads/same' });
      expect(result.warnings).toEqual([
        `same is both a tag (commit ${fixture.commits.A}) and a branch (commit ${fixture.commits.B}); took the branch as prefer says`,
      ]);
    });
  });
});
