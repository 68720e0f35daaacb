/**
 * The git steps of a tagwright release (run by .github/workflows/release.yml, replayed by
 * scripts/release-refs.itg.test.ts against a local bare repository). See RELEASING.md.
 *
 * After `changeset version` has been merged to main, each action package
 * (`packages/action-<name>/package.json`) whose version has no tag `<name>/v<version>` yet is
 * released:
 *
 * 1. one release commit is made whose parent is the main commit and whose tree is main's tree plus
 *    every action's built bundle (`packages/action-*\/dist`, not committed on main); main and the
 *    working tree are not changed (a temporary index);
 * 2. tags on that commit, all lightweight and all the bot's:
 *    - `<name>/v<X.Y.Z>` per released action, created, never moved;
 *    - `<name>/v<X>` per released stable action, moved when the release is the highest `X.*` release;
 *    - `v<X>` (what `uses: OWNER/tagwright/<name>@v<X>` reads) when every action at the release commit
 *      has a stable version of major X, and the current `v<X>` (if any) was released from an
 *      ancestor of this main commit;
 * 3. with `--push`, one atomic push: exact tags must not exist on the remote, a floating tag moves
 *    only when it still points where it was read (`--force-with-lease`); then every ref is re-read.
 *
 * A tag is moved only when it is the bot's: a lightweight tag on a release commit (one carrying the
 * `Tagwright-Release:` trailer). Anything else (a maintainer's annotated or signed tag, a tag on
 * another commit) stops the release with an error before any ref is written.
 *
 *   node --import tsx scripts/release-refs.ts plan    [--repo DIR] [--remote origin]
 *   node --import tsx scripts/release-refs.ts release [--repo DIR] [--remote origin] [--push] [--report FILE]
 *   node --import tsx scripts/release-refs.ts github-releases [--repo DIR] [--remote origin]
 *     (GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL): a GitHub release for each action version of
 *     the checked-out main commit whose exact tag is on the remote; re-runnable
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import semver from 'semver';

const exec = promisify(execFile);

/** The trailer that marks a commit as a release commit made by this script; its value is the main commit. */
export const RELEASE_TRAILER = 'Tagwright-Release';

const ZERO = '0000000000000000000000000000000000000000';

/** One action's release in a plan. */
export interface ActionRelease {
  /** Action folder name, e.g. `promote`. */
  action: string;
  /** npm package name, e.g. `@tagwright/action-promote`. */
  package: string;
  /** SemVer version from the package.json, e.g. `2.3.1`. */
  version: string;
  /** The exact tag, e.g. `promote/v2.3.1`. */
  tag: string;
  prerelease: boolean;
  /** The package CHANGELOG.md section of this version (changesets' notes). */
  notes: string;
}

/** A tag write of a plan: create (`from` null) or move. */
export interface RefUpdate {
  ref: string;
  /** The commit the tag points at before, or null when it does not exist. */
  from: string | null;
}

/** What a release will do (or did, with `releaseCommit` filled in). */
export interface ReleasePlan {
  mainCommit: string;
  releaseCommit: string | null;
  /** Every action at this main commit: folder name to version. */
  versions: Record<string, string>;
  releases: ActionRelease[];
  /** Tags pointed at the release commit. */
  updates: RefUpdate[];
  /** Floating tags left where they are, and why. */
  kept: Array<{ ref: string; reason: string }>;
}

interface RemoteTag {
  /** The object the tag ref names (a tag object for annotated tags). */
  object: string;
  /** The commit it peels to. */
  commit: string;
  annotated: boolean;
}

/** Runs git with an argument array (never a shell). */
async function git(repo: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    const { stdout } = await exec('git', args, { cwd: repo, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`git ${args[0]} failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

/** Every action folder with its package.json version, at the working tree of `repo`. */
export function actionVersions(repo: string): Array<{ action: string; package: string; version: string }> {
  return readdirSync(path.join(repo, 'packages'))
    .filter((dir) => dir.startsWith('action-') && existsSync(path.join(repo, 'packages', dir, 'action.yml')))
    .sort()
    .map((dir) => {
      const file = path.join(repo, 'packages', dir, 'package.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string' || !semver.valid(manifest.version)) {
        throw new Error(`read ${path.relative(repo, file)}: "name" and a SemVer "version" are required, got ${JSON.stringify({ name: manifest.name, version: manifest.version })}`);
      }
      return { action: dir.slice('action-'.length), package: manifest.name, version: manifest.version };
    });
}

/** The section `## <version>` of a changesets CHANGELOG.md, without its heading. */
export function changelogSection(changelog: string, version: string): string | undefined {
  const lines = changelog.split('\n');
  const start = lines.findIndex((line) => line.trim() === `## ${version}`);
  if (start < 0) return undefined;
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .join('\n')
    .trim();
}

/** The tags of the remote: ref name (`promote/v2`) to object and peeled commit. */
async function remoteTags(repo: string, remote: string): Promise<Map<string, RemoteTag>> {
  const out = await git(repo, ['ls-remote', '--tags', '--end-of-options', remote]);
  const tags = new Map<string, RemoteTag>();
  const peeled = new Map<string, string>();
  for (const line of out.split('\n').filter(Boolean)) {
    const [sha, ref] = line.split('\t');
    if (!sha || !ref?.startsWith('refs/tags/')) continue;
    const name = ref.slice('refs/tags/'.length);
    if (name.endsWith('^{}')) peeled.set(name.slice(0, -3), sha);
    else tags.set(name, { object: sha, commit: sha, annotated: false });
  }
  for (const [name, commit] of peeled) {
    const tag = tags.get(name);
    if (tag) tags.set(name, { object: tag.object, commit, annotated: true });
  }
  return tags;
}

/** The main commit a release commit was made from, or undefined when `commit` is not a release commit. */
async function releasedFrom(repo: string, commit: string): Promise<string | undefined> {
  const value = await git(repo, ['log', '-1', `--format=%(trailers:key=${RELEASE_TRAILER},valueonly,separator=%x2C)`, '--end-of-options', commit]);
  return /^[0-9a-f]{40}$/.test(value) ? value : undefined;
}

async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  try {
    await exec('git', ['merge-base', '--is-ancestor', '--end-of-options', ancestor, descendant], { cwd: repo });
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 1) return false;
    throw new Error(`git merge-base failed: ${(error as { stderr?: string }).stderr ?? (error as Error).message}`, { cause: error });
  }
}

/**
 * Decides the release of the main commit checked out in `repo` against the tags on `remote`.
 * Reads only (fetches the objects of existing tags so they can be inspected).
 *
 * @throws Error naming the tag when a tag it would move or create is not the bot's, or when a
 *   released action has no CHANGELOG.md section for its version.
 */
export async function planRelease(repo: string, remote: string): Promise<ReleasePlan> {
  const mainCommit = await git(repo, ['rev-parse', '--verify', 'HEAD^{commit}']);
  const tags = await remoteTags(repo, remote);
  const shas = [...new Set([...tags.values()].map((tag) => tag.object))];
  if (shas.length > 0) await git(repo, ['fetch', '--quiet', '--no-tags', '--end-of-options', remote, ...shas]);

  const actions = actionVersions(repo);
  const versions = Object.fromEntries(actions.map((a) => [a.action, a.version]));
  const problems: string[] = [];
  const releases: ActionRelease[] = [];
  const updates: RefUpdate[] = [];
  const kept: ReleasePlan['kept'] = [];

  /** A floating tag may move when it does not exist or is the bot's; returns its commit and main commit. */
  const owned = async (name: string): Promise<{ commit: string; main: string } | null | 'foreign'> => {
    const tag = tags.get(name);
    if (!tag) return null;
    const main = tag.annotated ? undefined : await releasedFrom(repo, tag.commit);
    if (!main) {
      problems.push(
        `refs/tags/${name} is not a tag the release job made (${tag.annotated ? `an annotated tag, object ${tag.object}` : `it points at ${tag.commit}, which has no ${RELEASE_TRAILER} trailer`}); ` +
          'the release job never rewrites a tag it did not make: delete or rename it, then re-run the release',
      );
      return 'foreign';
    }
    return { commit: tag.commit, main };
  };

  for (const { action, package: pkg, version } of actions) {
    const tag = `${action}/v${version}`;
    const existing = tags.get(tag);
    if (existing) {
      if (existing.annotated || !(await releasedFrom(repo, existing.commit))) {
        problems.push(`refs/tags/${tag} exists but is not a release commit made by the release job; version ${pkg}@${version} cannot be released under it`);
      }
      continue;
    }
    const changelogFile = path.join(repo, 'packages', `action-${action}`, 'CHANGELOG.md');
    const notes = existsSync(changelogFile) ? changelogSection(readFileSync(changelogFile, 'utf8'), version) : undefined;
    if (notes === undefined) {
      problems.push(`packages/action-${action}/CHANGELOG.md has no "## ${version}" section: run \`pnpm changeset version\` (the Version Packages pull request) before releasing`);
      continue;
    }
    const prerelease = semver.prerelease(version) !== null;
    releases.push({ action, package: pkg, version, tag, prerelease, notes });
    updates.push({ ref: `refs/tags/${tag}`, from: null });
    if (prerelease) {
      kept.push({ ref: `refs/tags/${action}/v${semver.major(version)}`, reason: `${version} is a prerelease` });
      continue;
    }
    const floating = `${action}/v${semver.major(version)}`;
    const current = await owned(floating);
    if (current === 'foreign') continue;
    if (current) {
      const before = (await git(repo, ['show', `${current.commit}:packages/action-${action}/package.json`]).then(
        (text) => (JSON.parse(text) as { version?: string }).version,
      )) as string | undefined;
      if (before && semver.valid(before) && semver.lte(version, before)) {
        kept.push({ ref: `refs/tags/${floating}`, reason: `it holds ${before}, not lower than ${version}` });
        continue;
      }
    }
    updates.push({ ref: `refs/tags/${floating}`, from: current?.commit ?? null });
  }

  if (releases.length > 0) {
    const majors = new Set(actions.map((a) => (semver.prerelease(a.version) ? `pre` : String(semver.major(a.version)))));
    const [major] = [...majors];
    if (majors.size === 1 && major !== 'pre' && major !== undefined) {
      const setTag = `v${major}`;
      const current = await owned(setTag);
      if (current !== 'foreign') {
        if (current && !(await isAncestor(repo, current.main, mainCommit))) {
          kept.push({ ref: `refs/tags/${setTag}`, reason: `it was released from ${current.main}, which is not an ancestor of ${mainCommit}` });
        } else {
          updates.push({ ref: `refs/tags/${setTag}`, from: current?.commit ?? null });
        }
      }
    } else {
      kept.push({
        ref: 'refs/tags/v<major>',
        reason: `the actions are not all at one stable major (${actions.map((a) => `${a.action} ${a.version}`).join(', ')})`,
      });
    }
  }

  if (problems.length > 0) throw new Error(`release of ${mainCommit} refused, no ref was written:\n- ${problems.join('\n- ')}`);
  return { mainCommit, releaseCommit: null, versions, releases, updates, kept };
}

/** The git identity of release commits (the workflow's bot unless GIT_COMMITTER_* say otherwise). */
function botIdentity(): Record<string, string> {
  const name = process.env.GIT_COMMITTER_NAME ?? 'github-actions[bot]';
  const email = process.env.GIT_COMMITTER_EMAIL ?? '41898282+github-actions[bot]@users.noreply.github.com';
  return { GIT_AUTHOR_NAME: name, GIT_AUTHOR_EMAIL: email, GIT_COMMITTER_NAME: name, GIT_COMMITTER_EMAIL: email };
}

/**
 * Makes the release commit of a plan (main's tree plus every action's `dist/`, parent the main
 * commit) without touching HEAD, the index or any branch.
 *
 * @throws Error when an action has no built bundle (`dist/index.mjs`).
 */
export async function makeReleaseCommit(repo: string, plan: ReleasePlan): Promise<string> {
  const dists = Object.keys(plan.versions).map((action) => `packages/action-${action}/dist`);
  const missing = dists.filter((dir) => !existsSync(path.join(repo, dir, 'index.mjs')));
  if (missing.length > 0) throw new Error(`make the release commit: no bundle in ${missing.join(', ')}: run \`pnpm run build\` first`);
  const temp = await mkdtemp(path.join(tmpdir(), 'tw-release-index-'));
  try {
    const index = { GIT_INDEX_FILE: path.join(temp, 'index') };
    await git(repo, ['read-tree', plan.mainCommit], index);
    await git(repo, ['add', '--force', '--', ...dists], index);
    const tree = await git(repo, ['write-tree'], index);
    const titles = plan.releases.map((r) => `${r.action} ${r.version}`).join(', ');
    const message = [
      `release: ${titles}`,
      '',
      `The bundles of every action, built from ${plan.mainCommit}:`,
      ...Object.entries(plan.versions).map(([action, version]) => `- ${action} ${version}`),
      '',
      `${RELEASE_TRAILER}: ${plan.mainCommit}`,
    ].join('\n');
    return await git(repo, ['commit-tree', tree, '-p', plan.mainCommit, '-m', message], botIdentity());
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

/** Points the plan's tags at the release commit locally (compare-and-swap on each ref). */
async function writeLocalTags(repo: string, plan: ReleasePlan, commit: string): Promise<void> {
  for (const update of plan.updates) {
    const local = await git(repo, ['for-each-ref', '--format=%(objectname)', '--end-of-options', update.ref]);
    await git(repo, ['update-ref', '--end-of-options', update.ref, commit, local || ZERO]);
  }
}

/** One atomic push of the plan's tags; exact tags must be new, floating ones must be as read. Re-reads after. */
async function pushTags(repo: string, remote: string, plan: ReleasePlan, commit: string): Promise<void> {
  const leases = plan.updates.filter((u) => u.from !== null || !plan.releases.some((r) => `refs/tags/${r.tag}` === u.ref));
  const args = ['push', '--atomic', '--porcelain', ...leases.map((u) => `--force-with-lease=${u.ref}:${u.from ?? ''}`), '--end-of-options', remote];
  args.push(...plan.updates.map((u) => `${commit}:${u.ref}`));
  await git(repo, args);
  const after = await remoteTags(repo, remote);
  const wrong = plan.updates.filter((u) => after.get(u.ref.slice('refs/tags/'.length))?.object !== commit);
  if (wrong.length > 0) throw new Error(`pushed, but the remote does not show ${wrong.map((u) => u.ref).join(', ')} at ${commit}`);
}

/**
 * Plans, makes the release commit and writes the tags (locally, and on `remote` with `push`).
 * Nothing is written when there is nothing to release.
 */
export async function release(repo: string, remote: string, options: { push: boolean }): Promise<ReleasePlan> {
  const plan = await planRelease(repo, remote);
  if (plan.releases.length === 0) return plan;
  const commit = await makeReleaseCommit(repo, plan);
  await writeLocalTags(repo, plan, commit);
  if (options.push) await pushTags(repo, remote, plan, commit);
  return { ...plan, releaseCommit: commit };
}

/**
 * Creates the GitHub release of every action release given (title `<action> v<version>`, the
 * changeset notes as body, prerelease for SemVer prereleases); a release that exists is left as is.
 * Each tag must already be on GitHub (GitHub would otherwise create it on the default branch).
 */
export async function createGitHubReleases(
  report: Pick<ReleasePlan, 'releases'>,
  options: { apiUrl: string; repository: string; token: string; fetch?: typeof fetch },
): Promise<Array<{ tag: string; url: string; created: boolean }>> {
  const doFetch = options.fetch ?? fetch;
  if (!/^[\w.-]+\/[\w.-]+$/.test(options.repository)) throw new Error(`GITHUB_REPOSITORY must be owner/repo, got ${JSON.stringify(options.repository)}`);
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${options.token}`,
    'x-github-api-version': '2022-11-28',
    'content-type': 'application/json',
  };
  const base = `${options.apiUrl.replace(/\/$/, '')}/repos/${options.repository}/releases`;
  const results: Array<{ tag: string; url: string; created: boolean }> = [];
  for (const r of report.releases) {
    const found = await doFetch(`${base}/tags/${encodeURIComponent(r.tag)}`, { headers, signal: AbortSignal.timeout(30_000) });
    if (found.ok) {
      results.push({ tag: r.tag, url: htmlUrl(await found.json(), r.tag), created: false });
      continue;
    }
    if (found.status !== 404) throw new Error(`read the GitHub release ${r.tag}: HTTP ${found.status}`);
    const created = await doFetch(base, {
      method: 'POST',
      headers,
      signal: AbortSignal.timeout(30_000),
      body: JSON.stringify({ tag_name: r.tag, name: `${r.action} v${r.version}`, body: r.notes, prerelease: r.prerelease, make_latest: 'false' }),
    });
    if (created.status !== 201) throw new Error(`create the GitHub release ${r.tag}: HTTP ${created.status}; created so far: ${results.filter((x) => x.created).map((x) => x.tag).join(', ') || 'none'}`);
    results.push({ tag: r.tag, url: htmlUrl(await created.json(), r.tag), created: true });
  }
  return results;
}

function htmlUrl(body: unknown, tag: string): string {
  const url = (body as { html_url?: unknown } | null)?.html_url;
  if (typeof url !== 'string') throw new Error(`GitHub release ${tag}: the response has no html_url`);
  return url;
}

/**
 * The action releases of the main commit checked out in `repo` whose exact tag is on `remote`: what
 * the GitHub releases step makes sure exist. Computed from the versions and CHANGELOG.md sections,
 * not from a report, so that a re-run after a failure part way creates the releases still missing.
 */
export async function taggedReleases(repo: string, remote: string): Promise<ActionRelease[]> {
  const tags = await remoteTags(repo, remote);
  const releases: ActionRelease[] = [];
  for (const { action, package: pkg, version } of actionVersions(repo)) {
    const tag = `${action}/v${version}`;
    if (!tags.has(tag)) continue;
    const changelogFile = path.join(repo, 'packages', `action-${action}`, 'CHANGELOG.md');
    const notes = existsSync(changelogFile) ? changelogSection(readFileSync(changelogFile, 'utf8'), version) : undefined;
    if (notes === undefined) throw new Error(`packages/action-${action}/CHANGELOG.md has no "## ${version}" section for the release notes of ${tag}`);
    releases.push({ action, package: pkg, version, tag, prerelease: semver.prerelease(version) !== null, notes });
  }
  return releases;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      repo: { type: 'string', default: '.' },
      remote: { type: 'string', default: 'origin' },
      push: { type: 'boolean', default: false },
      report: { type: 'string' },
    },
  });
  const [command] = positionals;
  const repo = path.resolve(values.repo);
  if (command === 'plan') {
    console.log(JSON.stringify(await planRelease(repo, values.remote), null, 2));
  } else if (command === 'release') {
    const result = await release(repo, values.remote, { push: values.push });
    if (values.report) writeFileSync(values.report, `${JSON.stringify(result, null, 2)}\n`);
    if (result.releases.length === 0) console.log('nothing to release: every action version has its tag');
    for (const r of result.releases) console.log(`released ${r.tag}`);
    for (const u of result.updates) console.log(`${u.from ? 'moved' : 'created'} ${u.ref} -> ${result.releaseCommit}${u.from ? ` (was ${u.from})` : ''}`);
    for (const k of result.kept) console.log(`kept ${k.ref}: ${k.reason}`);
  } else if (command === 'github-releases') {
    const token = process.env.GITHUB_TOKEN;
    if (!token) throw new Error('github-releases needs GITHUB_TOKEN');
    const results = await createGitHubReleases({ releases: await taggedReleases(repo, values.remote) }, {
      apiUrl: process.env.GITHUB_API_URL ?? 'https://api.github.com',
      repository: process.env.GITHUB_REPOSITORY ?? '',
      token,
    });
    for (const r of results) console.log(`${r.created ? 'created' : 'exists'} ${r.url}`);
  } else {
    throw new Error(`unknown command ${JSON.stringify(command ?? '')}: plan, release or github-releases`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`release-refs: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
