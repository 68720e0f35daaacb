/**
 * Conformance of compute-tags with docker/metadata-action's own test table.
 *
 * Rows are taken from docker/metadata-action `__tests__/meta.test.ts` at commit
 * 87ff116aea663b442e84ade2e0757db0646e3f10 (with the refs, events and commits of the
 * `__tests__/fixtures/event_*.env` files each row names); the table is written here, no code is
 * copied. Only rows whose configuration maps onto compute-tags' inputs are kept: `type=ref`
 * (branch, tag, pr), `type=semver` with `{{version}}` / `{{major}}.{{minor}}` / `{{major}}`,
 * `type=edge` (a `branch-tags` mapping), `type=sha`, `type=schedule`, and `flavor: latest`.
 * Each row says how it maps; every divergence says what compute-tags gives instead and why.
 * The counts at the end are the figures reported in issue 12.
 */
import { describe, expect, it } from 'vitest';
import { computeTags } from './compute-tags.js';
import type { TagPolicyInput } from './compute-tags.js';
import type { WorkflowEvent } from '../semver/refs.js';

const DEV = '860c1904a1ce19322e91ac35af1ab07466440c37';
const MASTER = '266574110acf203503badf966df2ea24b5d732d7';
const PR = 'a9c8c5828b91be19d9728548b24759e352367ef1';
const now = new Date('2020-01-10T00:30:00Z');

interface Row {
  /** The metadata-action test id and the fixture it runs with. */
  id: string;
  ref: string;
  sha: string;
  event: WorkflowEvent;
  /** compute-tags inputs equivalent to the row's `tags`/`flavor` configuration. */
  options: Partial<TagPolicyInput>;
  /** The tags metadata-action expects (without the image). */
  theirs: string[];
  /** Set for an intended divergence: what compute-tags gives, and why. */
  ours?: string[];
  why?: string;
}

const push = { name: 'push' };
const pullRequest = { name: 'pull_request', pullRequestNumber: 15 };
const pullRequestTarget = { name: 'pull_request_target', pullRequestNumber: 15 };
const FLOATING_ALL = { floating: { major: true, minor: true, latest: true } };
const LATEST_ONLY = { floating: { major: false, minor: false, latest: true } };
const NOT_SEMVER_NO_LATEST =
  'compute-tags never gives latest to a git tag that is not a SemVer version: latest means "the highest stable release"';
const PEP440 = 'compute-tags reads SemVer 2.0 only (no PEP 440 normalization); a git tag that is not SemVer keeps its name as written';
const NO_SCHEDULE_TAG =
  'compute-tags has no schedule tag: a scheduled build is a build of its branch and gets the branch tag (a dated tag is a stamp, e.g. nightly-{date})';

const rows: Row[] = [
  // push
  { id: 'push01 (event_push_dev.env, default tags)', ref: 'refs/heads/dev', sha: DEV, event: push, options: {}, theirs: ['dev'] },
  { id: 'push02 (event_push_master.env, type=edge)', ref: 'refs/heads/master', sha: MASTER, event: push, options: { branchTags: { master: 'edge' } }, theirs: ['edge'] },
  { id: 'push03 (event_push_master.env, default tags)', ref: 'refs/heads/master', sha: MASTER, event: push, options: {}, theirs: ['master'] },
  { id: 'push07 (event_push_dev.env, type=ref,event=branch + type=sha)', ref: 'refs/heads/dev', sha: DEV, event: push, options: { shaTag: true }, theirs: ['dev', 'sha-860c190'] },
  { id: 'push08 (event_push_master.env, type=edge + type=sha)', ref: 'refs/heads/master', sha: MASTER, event: push, options: { shaTag: true, branchTags: { master: 'edge' } }, theirs: ['edge', 'sha-2665741'] },
  { id: 'push09 (event_push_dev.env, type=edge,branch=dev + type=sha)', ref: 'refs/heads/dev', sha: DEV, event: push, options: { shaTag: true, branchTags: { dev: 'edge' } }, theirs: ['edge', 'sha-860c190'] },
  {
    id: 'push10 (event_push_master.env, type=edge,branch=dev + type=sha)',
    ref: 'refs/heads/master',
    sha: MASTER,
    event: push,
    options: { shaTag: true, branchTags: { dev: 'edge' } },
    theirs: ['sha-2665741'],
    ours: ['master', 'sha-2665741'],
    why: 'compute-tags always gives a branch build its branch tag (mapped or sanitized); metadata-action gives only the tag types configured',
  },
  // tag
  { id: 'tag01 (event_tag_release1.env, default tags)', ref: 'refs/tags/release1', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['release1', 'latest'], ours: ['release1'], why: NOT_SEMVER_NO_LATEST },
  { id: 'tag02 (event_tag_20200110-RC2.env, default tags)', ref: 'refs/tags/20200110-RC2', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['20200110-RC2', 'latest'], ours: ['20200110-RC2'], why: NOT_SEMVER_NO_LATEST },
  { id: 'tag11 (event_tag_v1.1.1.env, semver {{version}}, {{major}}.{{minor}}, {{major}})', ref: 'refs/tags/v1.1.1', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['1.1.1', '1.1', '1', 'latest'] },
  {
    id: 'tag11 (event_tag_v1.1.1.env) with 1.2.0 already in the registry',
    ref: 'refs/tags/v1.1.1',
    sha: DEV,
    event: push,
    options: { ...FLOATING_ALL, existingTags: ['1.2.0', '1.2', '1', 'latest'] },
    theirs: ['1.1.1', '1.1', '1', 'latest'],
    ours: ['1.1.1', '1.1'],
    why: 'registry-aware: metadata-action does not read the registry, so a backport takes 1 and latest; compute-tags withholds them while 1.2.0 is higher',
  },
  { id: 'tag12 (event_tag_v1.1.1.env, semver {{version}}, {{major}}.{{minor}}.{{patch}})', ref: 'refs/tags/v1.1.1', sha: DEV, event: push, options: LATEST_ONLY, theirs: ['1.1.1', 'latest'] },
  { id: 'tag13 (event_tag_v2.0.8-beta.67.env, semver {{major}}.{{minor}}, {{major}})', ref: 'refs/tags/v2.0.8-beta.67', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['2.0.8-beta.67'] },
  { id: 'tag14 (event_tag_sometag.env, type=ref,event=tag + semver, latest=false)', ref: 'refs/tags/sometag', sha: DEV, event: push, options: {}, theirs: ['sometag'] },
  {
    id: 'tag17 (event_tag_p1-v1.0.0.env, type=match patterns + type=sha)',
    ref: 'refs/tags/p1/v1.0.0',
    sha: DEV,
    event: push,
    options: { ...FLOATING_ALL, shaTag: true },
    theirs: ['1.0.0', '1.0', 'sha-860c190', 'latest'],
    ours: ['p1-v1.0.0', 'sha-860c190'],
    why: 'compute-tags has no regex match: a version is read only from X.Y.Z or vX.Y.Z, so the prefixed git tag p1/v1.0.0 is not a release and gets its sanitized name',
  },
  { id: 'tag24 (event_tag_1.2.env, pep440 {{version}}, {{major}}.{{minor}})', ref: 'refs/tags/1.2', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['1.2', 'latest'], ours: [], why: 'a git tag named like a floating tag (1.2) is withheld: it is not SemVer and would take over the X.Y tag that releases own; no latest for a non-SemVer tag' },
  { id: 'tag25 (event_tag_1.1beta2.env, pep440)', ref: 'refs/tags/1.1beta2', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['1.1b2'], ours: ['1.1beta2'], why: PEP440 },
  { id: 'tag26 (event_tag_1.0dev4.env, pep440)', ref: 'refs/tags/1.0dev4', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['1.0.dev4'], ours: ['1.0dev4'], why: PEP440 },
  { id: 'tag27 (event_tag_1.2.3rc2.env, pep440)', ref: 'refs/tags/1.2.3rc2', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['1.2.3rc2'] },
  { id: 'tag29 (event_tag_1.2post1.env, pep440)', ref: 'refs/tags/1.2post1', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['1.2.post1'], ours: ['1.2post1'], why: PEP440 },
  { id: 'tag31 (event_tag_v2.0.8-beta.67.env, semver {{raw}})', ref: 'refs/tags/v2.0.8-beta.67', sha: DEV, event: push, options: { tagPrefix: 'v' }, theirs: ['v2.0.8-beta.67'] },
  { id: 'tag33 (event_tag_v1.1.1.env, {{version}}, {{major}}.{{minor}}.{{patch}}, {{major}}.{{minor}}, {{major}})', ref: 'refs/tags/v1.1.1', sha: DEV, event: push, options: FLOATING_ALL, theirs: ['1.1.1', '1.1', '1', 'latest'] },
  // latest
  {
    id: 'latest05 (event_tag_v1.1.1.env, default tags)',
    ref: 'refs/tags/v1.1.1',
    sha: DEV,
    event: push,
    options: FLOATING_ALL,
    theirs: ['v1.1.1', 'latest'],
    ours: ['1.1.1', '1.1', '1', 'latest'],
    why: 'compute-tags writes bare X.Y.Z unless tag-prefix is v, and gives the floating X.Y and X by default; metadata-action\'s default is the git tag as written plus latest',
  },
  { id: 'latest07 (event_tag_v1.1.1.env, type=ref,event=tag, latest=false)', ref: 'refs/tags/v1.1.1', sha: DEV, event: push, options: { tagPrefix: 'v' }, theirs: ['v1.1.1'] },
  // pr
  { id: 'pr01 (event_pull_request.env, default tags)', ref: 'refs/pull/15/merge', sha: PR, event: pullRequest, options: {}, theirs: ['pr-15'] },
  { id: 'pr03 (event_pull_request.env, type=ref,event=pr + type=sha)', ref: 'refs/pull/15/merge', sha: PR, event: pullRequest, options: { shaTag: true }, theirs: ['pr-15', 'sha-a9c8c58'] },
  {
    id: 'pr07 (event_pull_request_target.env, type=sha + type=ref,event=pr; ref is the base branch)',
    ref: 'refs/heads/master',
    sha: MASTER,
    event: pullRequestTarget,
    options: { shaTag: true, branchTags: { master: 'staging' } },
    theirs: ['sha-2665741', 'pr-15'],
  },
  {
    id: 'pr09 (event_pull_request_target.env, type=ref tag/pr/branch + type=sha + type=sha,format=long)',
    ref: 'refs/heads/master',
    sha: MASTER,
    event: pullRequestTarget,
    options: { shaTag: true },
    theirs: ['pr-15', 'sha-2665741', `sha-${MASTER}`],
    ours: ['pr-15', 'sha-2665741'],
    why: 'compute-tags has only the short sha-<7 hex> tag; like metadata-action it gives the pull request no branch tag',
  },
  // schedule
  { id: 'schedule01 (event_schedule.env, default tags)', ref: 'refs/heads/master', sha: DEV, event: { name: 'schedule' }, options: {}, theirs: ['nightly', 'master'], ours: ['master'], why: NO_SCHEDULE_TAG },
  { id: 'schedule05 (event_schedule.env, type=schedule + type=sha)', ref: 'refs/heads/master', sha: DEV, event: { name: 'schedule' }, options: { shaTag: true }, theirs: ['nightly', 'sha-860c190'], ours: ['master', 'sha-860c190'], why: NO_SCHEDULE_TAG },
  // release
  { id: 'release01 (event_release_created.env, default tags)', ref: 'refs/tags/v1.1.1', sha: DEV, event: { name: 'release' }, options: { ...LATEST_ONLY, tagPrefix: 'v' }, theirs: ['v1.1.1', 'latest'] },
];

function tagsFor(row: Row): string[] {
  return computeTags({
    ref: { ref: row.ref, sha: row.sha, event: row.event },
    existingTags: [],
    floating: { major: false, minor: false, latest: false },
    branchTags: {},
    shaTag: false,
    tagPrefix: '',
    registryAware: true,
    now,
    ...row.options,
  }).tags;
}

/** Order is not compared: metadata-action orders by priority, compute-tags by kind. */
const sorted = (tags: string[]): string[] => [...tags].sort();

describe('compute-tags conformance with docker/metadata-action', () => {
  describe('when both give the same tags', () => {
    it.each(rows.filter((row) => row.ours === undefined).map((row) => [row.id, row] as const))('%s', (_id, row) => {
      expect(sorted(tagsFor(row))).toEqual(sorted(row.theirs));
    });
  });

  describe('when compute-tags differs on purpose', () => {
    it.each(rows.filter((row) => row.ours !== undefined).map((row) => [row.id, row] as const))('%s', (_id, row) => {
      const ours = tagsFor(row);
      expect(sorted(ours)).toEqual(sorted(row.ours!));
      expect(sorted(ours)).not.toEqual(sorted(row.theirs));
      expect(row.why?.length ?? 0).toBeGreaterThan(40);
    });
  });

  it('covers the metadata-action rows with these figures', () => {
    expect({ agree: rows.filter((row) => row.ours === undefined).length, differ: rows.filter((row) => row.ours !== undefined).length }).toEqual({
      agree: 18,
      differ: 13,
    });
  });
});
