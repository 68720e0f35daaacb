import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, gitTestEnv, pushIndex, runActionYml, startRegistry, type RunningRegistry } from '@tagwright/testkit';
import { RELEASE_TRAILER, taggedReleases } from './release-refs.js';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const ACTIONS = ['classify-ref', 'cleanup', 'compute-tags', 'promote', 'rollback'];

/**
 * Replays the release: a local bare repository stands for GitHub, a clone of it for main (where the
 * Version Packages pull request runs the real `changeset version`), and a fresh clone per release
 * job (bundles copied in as `pnpm run build` leaves them) runs scripts/release-refs.ts with --push.
 */
describe('scripts/release-refs.ts against a local bare repository', () => {
  let work: string;
  let origin: string;
  let dev: string;
  let registry: RunningRegistry;
  let image: { ref: string; digest: string };
  let jobs = 0;
  const releaseCommits: string[] = [];

  const git = async (cwd: string, ...args: string[]) =>
    (await exec('git', args, { cwd, env: gitTestEnv(), maxBuffer: 64 * 1024 * 1024 })).stdout.trim();

  /** Every ref of the bare repository: name to object id. */
  const refs = async (): Promise<Record<string, string>> =>
    Object.fromEntries(
      (await git(origin, 'for-each-ref', '--format=%(refname) %(objectname)'))
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split(' ') as [string, string]),
    );

  /** What `changeset version` in the Version Packages pull request does, merged to main. */
  async function versionPackages(changeset?: { name: string; text: string }): Promise<void> {
    if (changeset) writeFileSync(path.join(dev, '.changeset', `${changeset.name}.md`), changeset.text);
    await exec(process.execPath, [path.join(root, 'node_modules', '@changesets', 'cli', 'bin.js'), 'version'], { cwd: dev });
    await git(dev, 'add', '-A');
    await git(dev, 'commit', '-q', '-m', 'Version Packages');
    await git(dev, 'push', '-q', 'origin', 'main');
  }

  /** The release job: a fresh clone of main, the bundles built, the script with --push. */
  async function releaseJob(): Promise<{ code: number; stdout: string; stderr: string; report?: { releaseCommit: string | null } }> {
    const ci = path.join(work, `ci-${++jobs}`);
    await git(work, 'clone', '-q', origin, ci);
    for (const action of ACTIONS) cpSync(path.join(root, 'packages', `action-${action}`, 'dist'), path.join(ci, 'packages', `action-${action}`, 'dist'), { recursive: true });
    const reportFile = path.join(work, `report-${jobs}.json`);
    const args = ['--import', 'tsx', path.join(root, 'scripts', 'release-refs.ts'), 'release', '--repo', ci, '--remote', 'origin', '--push', '--report', reportFile];
    const env = gitTestEnv({ GIT_COMMITTER_NAME: 'github-actions[bot]', GIT_COMMITTER_EMAIL: '41898282+github-actions[bot]@users.noreply.github.com' });
    try {
      const { stdout, stderr } = await exec(process.execPath, args, { cwd: root, env });
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { releaseCommit: string | null };
      if (report.releaseCommit) releaseCommits.push(report.releaseCommit);
      return { code: 0, stdout, stderr, report };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  }

  /** The tree of a ref as `uses: OWNER/tagwright/<action>@<ref>` gets it (git archive, extracted). */
  async function treeOf(ref: string): Promise<string> {
    const dir = path.join(work, 'trees', ref.replaceAll('/', '_'));
    mkdirSync(dir, { recursive: true });
    const archive = path.join(work, 'trees', `${ref.replaceAll('/', '_')}.tar`);
    await git(origin, 'archive', '--format=tar', `--output=${archive}`, `refs/tags/${ref}`);
    await exec('tar', ['-xf', archive, '-C', dir]);
    return dir;
  }

  const version = (action: string) =>
    (JSON.parse(readFileSync(path.join(dev, 'packages', `action-${action}`, 'package.json'), 'utf8')) as { version: string }).version;

  beforeAll(async () => {
    for (const action of ACTIONS) {
      if (!existsSync(path.join(root, 'packages', `action-${action}`, 'dist', 'index.mjs'))) {
        throw new Error(`packages/action-${action}/dist/index.mjs is missing: run pnpm run build before the integration tests`);
      }
    }
    registry = await startRegistry();
    const seeded = await pushIndex(clientFor(registry), { registry: registry.host, repository: 'acme/app' }, { tag: '1.4.0', seed: 'release-refs' });
    image = { ref: `${registry.host}/acme/app`, digest: seeded.digest };

    work = await mkdtemp(path.join(tmpdir(), 'tw-release-refs-'));
    origin = path.join(work, 'origin.git');
    dev = path.join(work, 'dev');
    await git(work, 'init', '-q', '--bare', '-b', 'main', origin);
    await git(work, 'init', '-q', '-b', 'main', dev);
    const files = (await exec('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, maxBuffer: 64 * 1024 * 1024 })).stdout
      .split('\0')
      .filter((file) => file && existsSync(path.join(root, file)));
    for (const file of files) cpSync(path.join(root, file), path.join(dev, file), { recursive: true });
    // `changeset version` loads its changelog generator from node_modules, as in the real checkout.
    // (.gitignore's `node_modules/` matches directories only, so the symlink is excluded here.)
    symlinkSync(path.join(root, 'node_modules'), path.join(dev, 'node_modules'));
    writeFileSync(path.join(dev, '.git', 'info', 'exclude'), 'node_modules\n');
    await git(dev, 'add', '-A');
    await git(dev, 'commit', '-q', '-m', 'main');
    await git(dev, 'remote', 'add', 'origin', origin);
    await git(dev, 'tag', '-a', '-m', 'the maintainer marks a milestone', 'milestone-2026-11');
    await git(dev, 'push', '-q', 'origin', 'main', 'refs/tags/milestone-2026-11');
  });

  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the pending changesets make the first release 2.0.0 of every action, so the set is v2', async () => {
    await versionPackages();
    expect(Object.fromEntries(ACTIONS.map((action) => [action, version(action)]))).toEqual(
      Object.fromEntries(ACTIONS.map((action) => [action, '2.0.0'])),
    );
    for (const action of ACTIONS) {
      expect(readFileSync(path.join(dev, 'packages', `action-${action}`, 'CHANGELOG.md'), 'utf8')).toMatch(/^## 2\.0\.0$/m);
    }
  });

  it('tags one release commit (parent: main) with every exact tag, every floating major and v2; main and the maintainer tag stay', async () => {
    const before = await refs();
    const run = await releaseJob();
    expect(run.code, run.stderr).toBe(0);
    const commit = run.report?.releaseCommit ?? '';
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    const after = await refs();
    const expected: Record<string, string> = { ...before, 'refs/tags/v2': commit };
    for (const action of ACTIONS) {
      expected[`refs/tags/${action}/v2.0.0`] = commit;
      expected[`refs/tags/${action}/v2`] = commit;
    }
    expect(after).toEqual(expected);
    expect(await git(origin, 'rev-parse', `${commit}^1`)).toBe(before['refs/heads/main']);
    expect(await git(origin, 'log', '-1', '--format=%an %(trailers:key=' + RELEASE_TRAILER + ',valueonly)', commit)).toBe(`github-actions[bot] ${before['refs/heads/main']}`);
    expect(await git(origin, 'cat-file', '-t', 'refs/tags/milestone-2026-11')).toBe('tag');
    const mainFiles = await git(origin, 'ls-tree', '-r', '--name-only', 'refs/heads/main');
    const releaseFiles = await git(origin, 'ls-tree', '-r', '--name-only', commit);
    for (const action of ACTIONS) {
      expect(mainFiles).not.toContain(`packages/action-${action}/dist/index.mjs`);
      expect(releaseFiles).toContain(`packages/action-${action}/dist/index.mjs`);
    }
    expect(run.stdout).toContain('released promote/v2.0.0');

    // What the GitHub releases step then releases: each exact tag with its changeset notes.
    const tagged = await taggedReleases(path.join(work, 'ci-1'), 'origin');
    expect(tagged.map((r) => [r.tag, r.prerelease])).toEqual(ACTIONS.map((action) => [`${action}/v2.0.0`, false]));
    for (const r of tagged) expect(r.notes).toContain('First release of the tagwright actions as the set `v2`');
  });

  it.each([['v2'], ['promote/v2'], ['promote/v2.0.0']])(
    'uses: OWNER/tagwright/promote@%s resolves to a tree whose action.yml runs its bundle without node_modules',
    async (ref) => {
      const tree = await treeOf(ref);
      expect(existsSync(path.join(tree, 'node_modules'))).toBe(false);
      expect(readdirSync(path.join(tree, 'packages', 'action-promote'))).not.toContain('node_modules');
      const run = await runActionYml(path.join(tree, 'promote'), {
        inputs: { image: image.ref, source: '1.4.0', targets: 'prod', 'dry-run': 'true' },
        github: { sha: '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d' },
      });
      expect(run.exitCode, run.stdout + run.stderr).toBe(0);
      expect(run.outputs.digest).toBe(image.digest);
    },
  );

  it('uses: OWNER/tagwright/compute-tags@v2 runs from the same tree', async () => {
    const tree = await treeOf('v2');
    const run = await runActionYml(path.join(tree, 'compute-tags'), {
      inputs: { images: image.ref, 'registry-aware': 'false' },
      github: { ref: 'refs/tags/v1.2.3', sha: '4f1c2d3e5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d' },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs.version).toBe('1.2.3');
  });

  it('a second run with nothing new to release writes nothing', async () => {
    const before = await refs();
    const run = await releaseJob();
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('nothing to release');
    expect(await refs()).toEqual(before);
  });

  it('a patch of promote gets promote/v2.0.1 and moves promote/v2 and v2; the other actions keep their tags', async () => {
    const [first] = releaseCommits;
    await versionPackages({ name: 'promote-fix', text: '---\n"@tagwright/action-promote": patch\n---\n\nA promote fix.\n' });
    const before = await refs();
    const run = await releaseJob();
    expect(run.code, run.stderr).toBe(0);
    const second = run.report?.releaseCommit ?? '';
    expect(await refs()).toEqual({
      ...before,
      'refs/tags/promote/v2.0.1': second,
      'refs/tags/promote/v2': second,
      'refs/tags/v2': second,
    });
    expect(before['refs/tags/promote/v2.0.0']).toBe(first);
    expect(before['refs/tags/compute-tags/v2']).toBe(first);
  });

  it("a maintainer's annotated tag is never rewritten: the release stops before any ref is written", async () => {
    await git(dev, 'tag', '-a', '-m', 'my own compute-tags v2', 'compute-tags/v2', 'main');
    await git(dev, 'push', '-q', '--force', 'origin', 'refs/tags/compute-tags/v2');
    await versionPackages({ name: 'compute-tags-fix', text: '---\n"@tagwright/action-compute-tags": patch\n---\n\nA compute-tags fix.\n' });
    const before = await refs();
    const run = await releaseJob();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refs/tags/compute-tags/v2 is not a tag the release job made (an annotated tag');
    expect(run.stderr).toContain('no ref was written');
    expect(await refs()).toEqual(before);

    await git(dev, 'push', '-q', 'origin', ':refs/tags/compute-tags/v2');
    const again = await releaseJob();
    expect(again.code, again.stderr).toBe(0);
    const third = again.report?.releaseCommit ?? '';
    expect(await refs()).toEqual({
      ...Object.fromEntries(Object.entries(before).filter(([ref]) => ref !== 'refs/tags/compute-tags/v2')),
      'refs/tags/compute-tags/v2.0.1': third,
      'refs/tags/compute-tags/v2': third,
      'refs/tags/v2': third,
    });
  });

  it('a major of promote gets promote/v3.0.0 and promote/v3; v2 stays, no v3 until every action is at 3', async () => {
    await versionPackages({ name: 'promote-major', text: '---\n"@tagwright/action-promote": major\n---\n\nA breaking promote.\n' });
    expect(version('promote')).toBe('3.0.0');
    const before = await refs();
    const run = await releaseJob();
    expect(run.code, run.stderr).toBe(0);
    const fourth = run.report?.releaseCommit ?? '';
    expect(await refs()).toEqual({ ...before, 'refs/tags/promote/v3.0.0': fourth, 'refs/tags/promote/v3': fourth });
    expect(run.stdout).toContain('kept refs/tags/v<major>: the actions are not all at one stable major');
  });
});
