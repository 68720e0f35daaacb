import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkoutRef, classifyRef, GitRefError } from './classify.js';
import type { GitRefClassification } from './classify.js';
import { createGitRunner } from './exec.js';
import type { GitRunner } from './exec.js';
import { GIT_TEST_IDENTITY } from '@tagwright/testkit';

// Real git in temp dirs: a source repository, a bare remote cloned from it, and clones of the
// remote (over file:// so that --depth works) of every kind a CI job makes.
const root = mkdtempSync(join(tmpdir(), 'tagwright-classify-'));
const env = {
  ...process.env,
  GIT_CONFIG_GLOBAL: join(root, 'gitconfig'),
  ...GIT_TEST_IDENTITY,
};
const git = createGitRunner({ env });
const run = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env, encoding: 'utf8' }).trim();

const source = join(root, 'source');
const remoteDir = join(root, 'remote.git');
const remoteUrl = `file://${remoteDir}`;
/** Commits: main is A-B-C, feature is A-F; `same` is a tag at A and a branch at B. */
const c = { A: '', B: '', C: '', F: '', tree: '', blob: '' };

const commit = (message: string): string => {
  writeFileSync(join(source, 'file.txt'), `${message}\n`);
  run(source, 'add', 'file.txt');
  run(source, 'commit', '-q', '-m', message);
  return run(source, 'rev-parse', 'HEAD');
};

type CloneType = 'full' | 'depth-1' | 'no-tags' | 'single-branch';
const cloneTypes: CloneType[] = ['full', 'depth-1', 'no-tags', 'single-branch'];
const cloneArgs: Record<CloneType, string[]> = {
  full: [],
  'depth-1': ['--depth', '1'],
  'no-tags': ['--no-tags'],
  'single-branch': ['--single-branch', '--branch', 'main'],
};
let cloneCount = 0;
/** A fresh clone of the remote: classifyRef may fetch objects (never refs), checkoutRef moves HEAD. */
const clone = (type: CloneType): string => {
  const dir = join(root, `clone-${type}-${cloneCount++}`);
  execFileSync('git', ['clone', '-q', ...cloneArgs[type], remoteUrl, dir], { env });
  return dir;
};
const shared = {} as Record<CloneType, string>;

beforeAll(() => {
  writeFileSync(env.GIT_CONFIG_GLOBAL, '[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n');
  execFileSync('git', ['init', '-q', '-b', 'main', source], { env });
  c.A = commit('A');
  c.tree = run(source, 'rev-parse', 'HEAD^{tree}');
  c.B = commit('B');
  c.C = commit('C');
  run(source, 'tag', 'v1.0.0', c.A); // lightweight
  run(source, 'tag', '-a', 'v2.0.0', '-m', 'release 2.0.0', c.B); // annotated
  run(source, 'tag', '-a', 'same', '-m', 'a tag named like a branch', c.A);
  run(source, 'branch', 'same', c.B);
  run(source, 'tag', 'treetag', c.tree); // a tag pointing at a tree
  c.blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: source, env, input: 'a blob\n', encoding: 'utf8' }).trim();
  run(source, 'tag', '-a', 'blobtag', '-m', 'an annotated tag of a blob', c.blob);
  run(source, 'checkout', '-q', '-b', 'feature', c.A);
  c.F = commit('F');
  // A branch whose name is an abbreviation of commit A: a name, not a SHA.
  run(source, 'branch', c.A.slice(0, 7), c.F);
  run(source, 'checkout', '-q', 'main');
  execFileSync('git', ['clone', '-q', '--bare', source, remoteDir], { env });
  for (const type of cloneTypes) shared[type] = clone(type);
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A runner that records every git call, to show what ran before validation failed. */
function recording(inner: GitRunner): { runner: GitRunner; calls: string[][] } {
  const calls: string[][] = [];
  const runner = ((args, options) => {
    calls.push([...args]);
    return inner(args, options);
  }) satisfies GitRunner;
  return { runner, calls };
}

async function rejection(promise: Promise<unknown>): Promise<GitRefError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GitRefError);
  return error as GitRefError;
}

describe('classifyRef', () => {
  describe('when the clones were made the ways CI makes them', () => {
    const cases: Array<[string, GitRefClassification['kind'], keyof typeof c, string]> = [
      ['v1.0.0', 'tag', 'A', 'refs/tags/v1.0.0'],
      ['refs/tags/v1.0.0', 'tag', 'A', 'refs/tags/v1.0.0'],
      ['v2.0.0', 'tag', 'B', 'refs/tags/v2.0.0'],
      ['refs/tags/v2.0.0', 'tag', 'B', 'refs/tags/v2.0.0'],
      ['refs/tags/same', 'tag', 'A', 'refs/tags/same'],
      ['main', 'branch', 'C', 'refs/heads/main'],
      ['feature', 'branch', 'F', 'refs/heads/feature'],
      ['refs/heads/feature', 'branch', 'F', 'refs/heads/feature'],
      ['refs/heads/same', 'branch', 'B', 'refs/heads/same'],
      ['<A abbreviated to 7>', 'branch', 'F', 'refs/heads/<A abbreviated to 7>'],
      ['<full B>', 'sha', 'B', '<full B>'],
      ['<full F>', 'sha', 'F', '<full F>'],
    ];
    const table = cloneTypes.flatMap((type) => cases.map(([ref, kind, commit, qualified]) => ({ type, ref, kind, commit, qualified })));
    const fill = (text: string) =>
      text.replace('<A abbreviated to 7>', c.A.slice(0, 7)).replace('<full B>', c.B).replace('<full F>', c.F);

    it.each(table)('$type clone: $ref is $kind at $commit', async ({ type, ref, kind, commit, qualified }) => {
      const result = await classifyRef(git, shared[type], fill(ref));
      expect(result).toMatchObject({ kind, commit: c[commit], ref: fill(qualified) });
      expect(result.ambiguous).toBeUndefined();
    });
  });

  describe('when the clone is shallow', () => {
    it('asks the remote and says so, for a tag the clone does not have', async () => {
      const dir = clone('depth-1');
      expect(run(dir, 'tag', '--list')).toBe('');
      expect(await classifyRef(git, dir, 'v2.0.0')).toEqual({ kind: 'tag', commit: c.B, ref: 'refs/tags/v2.0.0', source: 'remote' });
      // Only objects were fetched to check the tag's target: no ref was created, the clone stays shallow.
      expect(run(dir, 'tag', '--list')).toBe('');
      expect(run(dir, 'rev-parse', '--is-shallow-repository')).toBe('true');
    });

    it('does not take an abbreviated hex string for a commit the clone lacks', async () => {
      const dir = clone('depth-1');
      const error = await rejection(classifyRef(git, dir, c.B.slice(0, 8)));
      expect(error.code).toBe('REF_NOT_FOUND');
      expect(error.message).toContain(`no tag, branch or commit named "${c.B.slice(0, 8)}"`);
    });
  });

  describe('when the clone is full', () => {
    it('answers from local refs without asking the remote', async () => {
      const { runner, calls } = recording(git);
      expect(await classifyRef(runner, shared.full, 'refs/tags/v2.0.0')).toEqual({
        kind: 'tag',
        commit: c.B,
        ref: 'refs/tags/v2.0.0',
        source: 'local',
      });
      expect(calls.map((args) => args[0])).not.toContain('ls-remote');
    });

    it('takes an abbreviated hex string that names no tag or branch for a commit', async () => {
      expect(await classifyRef(git, shared.full, c.B.slice(0, 8))).toEqual({ kind: 'sha', commit: c.B, ref: c.B, source: 'local' });
    });
  });

  describe('when a bare name is both a tag and a branch', () => {
    it.each(cloneTypes)('%s clone: fails naming both commits', async (type) => {
      const error = await rejection(classifyRef(git, shared[type], 'same'));
      expect(error.code).toBe('AMBIGUOUS_REF');
      expect(error.ambiguous).toEqual({ tag: c.A, branch: c.B });
      expect(error.message).toBe(
        `classify ref "same": it is both tag refs/tags/same (commit ${c.A}) and branch refs/heads/same (commit ${c.B}); ` +
          'pass refs/tags/same or refs/heads/same, or prefer tag or branch',
      );
    });

    it.each(
      cloneTypes.flatMap((type) => [
        { type, prefer: 'tag' as const, kind: 'tag', commit: 'A' as const, ref: 'refs/tags/same' },
        { type, prefer: 'branch' as const, kind: 'branch', commit: 'B' as const, ref: 'refs/heads/same' },
      ]),
    )('$type clone: prefer $prefer picks the $kind and reports both', async ({ type, prefer, kind, commit, ref }) => {
      expect(await classifyRef(git, shared[type], 'same', { prefer })).toMatchObject({
        kind,
        commit: c[commit],
        ref,
        ambiguous: { tag: c.A, branch: c.B },
      });
    });
  });

  describe('when a tag points at something other than a commit', () => {
    it.each(cloneTypes.flatMap((type) => [{ type, ref: 'treetag', what: 'tree' }, { type, ref: 'refs/tags/blobtag', what: 'blob' }]))(
      '$type clone: $ref fails naming the $what',
      async ({ type, ref, what }) => {
        const error = await rejection(classifyRef(git, clone(type), ref));
        expect(error.code).toBe('NOT_A_COMMIT');
        const name = ref.replace('refs/tags/', '');
        expect(error.message).toBe(
          `classify ref ${JSON.stringify(ref)}: tag refs/tags/${name} points at a ${what} (${what === 'tree' ? c.tree : c.blob}), not a commit`,
        );
      },
    );
  });

  describe('when the ref names nothing', () => {
    it.each([
      ['nope', 'no tag, branch or commit named "nope"'],
      ['refs/heads/v1.0.0', 'no branch named "v1.0.0"'],
      ['refs/tags/feature', 'no tag named "feature"'],
    ])('%s fails saying where it looked', async (ref, what) => {
      const error = await rejection(classifyRef(git, shared['depth-1'], ref));
      expect(error.code).toBe('REF_NOT_FOUND');
      expect(error.message).toBe(`classify ref ${JSON.stringify(ref)}: ${what} in the clone at ${shared['depth-1']} or on remote origin`);
    });

    it('fails for a full SHA the remote does not have, with git\'s own text', async () => {
      const missing = 'f'.repeat(40);
      const error = await rejection(classifyRef(git, clone('depth-1'), missing));
      expect(error.code).toBe('REMOTE_FAILED');
      expect(error.message).toContain(`fetch ${missing} from remote origin: git fetch`);
      expect(error.message).toMatch(/not our ref|couldn't find remote ref|upload-pack/);
    });
  });

  describe('when the ref is malformed', () => {
    it.each([
      ['', 'the ref is empty'],
      ['-delete', "not a valid tag or branch name (git check-ref-format --branch: fatal: '-delete' is not a valid branch name)"],
      ['a..b', 'not a valid tag or branch name'],
      ['with space', 'not a valid tag or branch name'],
      ['@{-1}', 'not a valid tag or branch name'],
      ['x.lock', 'not a valid tag or branch name'],
      ['refs/tags/', 'the name after the refs/ prefix is empty'],
      ['refs/tags/a:b', 'not a valid tag name (git check-ref-format refs/tags/a:b: rejected)'],
      ['refs/heads/x~1', 'not a valid branch name'],
      ['refs/pull/7/merge', 'only refs/tags/<name>, refs/heads/<name>, a bare tag or branch name, or a commit SHA are accepted'],
    ])('%j is rejected before anything but check-ref-format runs', async (ref, reason) => {
      const { runner, calls } = recording(git);
      const error = await rejection(classifyRef(runner, shared.full, ref));
      expect(error.code).toBe('INVALID_REF');
      expect(error.message).toContain(`classify ref ${JSON.stringify(ref)}: ${reason}`);
      expect(calls.every((args) => args[0] === 'check-ref-format')).toBe(true);
    });

    it('rejects a 64-hex name in a SHA-1 repository', async () => {
      const error = await rejection(classifyRef(git, shared.full, 'a'.repeat(64)));
      expect(error.message).toBe(`classify ref "${'a'.repeat(64)}": a 64-hex object name does not fit this sha1 repository`);
    });

    it('rejects a remote that looks like an option', async () => {
      const error = await rejection(classifyRef(git, shared.full, 'main', { remote: '--upload-pack=touch pwned' }));
      expect(error.message).toBe('classify ref "main": remote "--upload-pack=touch pwned" starts with "-"');
    });
  });

  describe('when the ref carries shell metacharacters', () => {
    it.each(['$(touch pwned)', '$(touch${IFS}pwned)', ';touch${IFS}pwned', '`touch${IFS}pwned`', 'x|touch${IFS}pwned', 'refs/tags/$(touch${IFS}pwned)', ';rm -rf pwned'])(
      '%s is rejected or looked up as a plain name, never executed',
      async (ref) => {
        const dir = clone('depth-1');
        const error = await rejection(classifyRef(git, dir, ref));
        expect(['INVALID_REF', 'REF_NOT_FOUND']).toContain(error.code);
        expect(existsSync(join(dir, 'pwned'))).toBe(false);
        expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
      },
    );
  });

  describe('when no remote is configured', () => {
    it('answers from the local repository', async () => {
      expect(await classifyRef(git, source, 'feature')).toEqual({ kind: 'branch', commit: c.F, ref: 'refs/heads/feature', source: 'local' });
      const error = await rejection(classifyRef(git, source, 'nope'));
      expect(error.message).toBe(`classify ref "nope": no tag, branch or commit named "nope" in the clone at ${source} (remote origin is not configured)`);
    });
  });

  describe('when the directory does not exist', () => {
    it('says so instead of a spawn error', async () => {
      const missing = join(root, 'missing');
      const error = await rejection(classifyRef(git, missing, 'main'));
      expect(error.code).toBe('NO_WORKING_TREE');
      expect(error.message).toBe(`classify ref "main": ${missing} is not a directory`);
    });
  });

  describe('when the directory is not a repository', () => {
    it("surfaces git's own error", async () => {
      await expect(classifyRef(git, root, 'main')).rejects.toThrow(/not a git repository/);
    });
  });
});

describe('checkoutRef', () => {
  describe.each(cloneTypes)('when the clone is %s', (type) => {
    it.each([
      { ref: 'v1.0.0', commit: 'A' as const, detached: true },
      { ref: 'v2.0.0', commit: 'B' as const, detached: true },
      { ref: 'feature', commit: 'F' as const, detached: false },
      { ref: '<full F>', commit: 'F' as const, detached: true },
    ])('$ref lands on $commit (detached: $detached)', async ({ ref, commit, detached }) => {
      const dir = clone(type);
      const classification = await classifyRef(git, dir, ref === '<full F>' ? c.F : ref);
      const result = await checkoutRef(git, dir, classification);
      expect(result).toMatchObject({ commit: c[commit], detached });
      expect(run(dir, 'rev-parse', 'HEAD')).toBe(c[commit]);
      expect(run(dir, 'rev-parse', '--is-shallow-repository')).toBe(type === 'depth-1' ? 'true' : 'false');
      if (detached) {
        expect(() => run(dir, 'symbolic-ref', '-q', 'HEAD')).toThrow();
      } else {
        expect(result.branch).toBe('refs/heads/feature');
        expect(run(dir, 'symbolic-ref', 'HEAD')).toBe('refs/heads/feature');
        expect(run(dir, 'rev-parse', 'refs/remotes/origin/feature')).toBe(c.F);
      }
    });
  });

  describe('when a shallow clone checks out a tag it did not have', () => {
    it('fetches only that tag', async () => {
      const dir = clone('depth-1');
      const result = await checkoutRef(git, dir, await classifyRef(git, dir, 'refs/tags/v2.0.0'));
      expect(result).toEqual({ commit: c.B, detached: true, fetched: true });
      expect(run(dir, 'tag', '--list')).toBe('v2.0.0');
    });
  });

  describe('when the local branch exists with other commits', () => {
    it("resets it to the remote's", async () => {
      const dir = clone('full');
      writeFileSync(join(dir, 'local.txt'), 'local\n');
      run(dir, 'add', 'local.txt');
      run(dir, 'commit', '-q', '-m', 'local only');
      const result = await checkoutRef(git, dir, await classifyRef(git, dir, 'refs/heads/main'));
      expect(result).toMatchObject({ commit: c.C, detached: false, branch: 'refs/heads/main' });
    });
  });

  describe('when the classification is inconsistent', () => {
    it('rejects a tag classification with a branch ref', async () => {
      const error = await rejection(
        checkoutRef(git, shared.full, { kind: 'tag', commit: c.A, ref: 'refs/heads/main', source: 'local' }),
      );
      expect(error.message).toBe('classify ref "refs/heads/main": a tag classification needs a refs/tags/ ref');
    });
  });
});
