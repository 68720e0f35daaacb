// The GitHub release step shared by promote and rollback. NOT exported from action-kit's index:
// octokit and git live behind this file, and each action loads it lazily through its own src/release.ts.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  changelogPaths,
  earlierReleaseTags,
  findReleaseOf,
  makeLatestFor,
  notesFromChangelog,
  notesFromCommits,
  previousRelease,
  releaseTagSpellings,
  verificationFooter,
} from '@tagwright/core/changelog';
import type { ChangelogSource, CommitInfo } from '@tagwright/core/changelog';
import { ConfigurationError, PolicyError, errorMessage } from '@tagwright/core/errors';
import { commitRange, createGitRunner, readFileAtCommit, resolveCommit } from '@tagwright/core/git';
import type { GitRunner } from '@tagwright/core/git';
import { createGitHubClient } from '@tagwright/core/github';
import type { GitHubClient, GitRef, Release } from '@tagwright/core/github';
import { versionOfTag } from '@tagwright/core/semver';
import type { ReleaseInputs, VerificationInputs } from './policy-inputs.js';
import type { ActionRuntime } from './run-action.js';
import type { VerificationOutcome } from './verification.js';
import { isFullCommitSha } from '@tagwright/core/grammar';

/** What the release of one version is made from. */
export interface ReleaseRequest {
  /** The release inputs (`release`, `release-notes`, `publish-draft`, `github-token`). */
  release: ReleaseInputs;
  /** The version released, spelled as given (`1.4.0` or `v1.4.0`). */
  version: string;
  /**
   * The commit the tag is created at when it does not exist on GitHub yet (a full 40-hex sha).
   * Undefined when the caller has none: a missing tag is then a PolicyError `RELEASE_TAG_MISSING`.
   */
  sha?: string;
  /** The verification inputs: the cosign commands of the footer name the exact identity and issuer checked. */
  verification: Pick<VerificationInputs, 'certificateIdentity' | 'certificateOidcIssuer'>;
}

/** The image a release is about: `registry/repository` and the digest now on its tags. */
export interface ReleasedImage {
  destination: string;
  digest: string;
}

/** What the release step will do, decided (and its notes written) before any tag moves. */
export interface PreparedRelease {
  /** The release's git tag, e.g. `v1.2.1`. */
  tag: string;
  /** True when the tag exists on GitHub; else the release creates it at the request's sha. */
  tagExists: boolean;
  /** The previous release on the same line the notes compare with; undefined for a first release. */
  previous: string | undefined;
  makeLatest: 'true' | 'false';
  prerelease: boolean;
  /** `create-or-update` (draft or published as `release` says), or `publish-draft` of an existing draft. */
  action: 'create-or-update' | 'publish-draft' | 'already-published';
  /** Where the notes came from, for the summary (`commits v1.2.0..v1.2.1 (local clone)`). */
  notesSource: string;
  /** Creates, updates or publishes the release; call after the tags moved. */
  publish(image: ReleasedImage, verification: VerificationOutcome | null): Promise<ReleaseOutcome>;
}

/** The release as it is after {@link PreparedRelease.publish}. */
export interface ReleaseOutcome {
  url: string;
  tag: string;
  draft: boolean;
  /** `created`, `updated`, `published` (a draft), or `unchanged` (already published, publish-draft re-run). */
  change: 'created' | 'updated' | 'published' | 'unchanged';
  makeLatest: 'true' | 'false';
  previous: string | undefined;
  notesSource: string;
}

/** Injected for tests; the real ones are built from the runtime. */
export interface ReleaseDeps {
  github?: GitHubClient;
  git?: GitRunner;
}

/** The releases and tags of the repository, read once and shared by the decisions below. */
export interface ReleaseHistory {
  releases: Release[];
  tagRefs: GitRef[];
}

type Runtime = Pick<ActionRuntime, 'env' | 'warning' | 'info'>;

/**
 * The GitHub client of a workflow run: `GITHUB_REPOSITORY`, `GITHUB_API_URL` and the token input.
 *
 * @throws ConfigurationError when GITHUB_REPOSITORY is not set.
 */
export function createReleaseGitHubClient(release: ReleaseInputs, runtime: Runtime, userAgent: string): GitHubClient {
  const repository = runtime.env.GITHUB_REPOSITORY;
  if (!repository) throw new ConfigurationError('MISSING_INPUT', 'create the release: GITHUB_REPOSITORY is not set (owner/repo)');
  return createGitHubClient({
    token: release.githubToken ?? '',
    repository,
    ...(runtime.env.GITHUB_API_URL ? { baseUrl: runtime.env.GITHUB_API_URL } : {}),
    userAgent,
    onWarning: (message) => runtime.warning(message),
  });
}

/** Reads every release (drafts included) and every tag of the repository. */
export async function readReleaseHistory(github: GitHubClient): Promise<ReleaseHistory> {
  return { releases: await github.listReleases(), tagRefs: await github.listMatchingRefs('tags/') };
}

/** The tag spellings a version's release may use (core `releaseTagSpellings`). */
export function tagSpellings(version: string): string[] {
  return releaseTagSpellings(version);
}

/** The release of a version under either spelling, drafts included; undefined when there is none. */
export function findVersionRelease(history: ReleaseHistory, version: string): Release | undefined {
  return findReleaseOf(history.releases, version);
}

/** The versions released before (or beside) `tag`, decided by core `earlierReleaseTags`. */
export function knownReleaseTags(history: ReleaseHistory, tag: string, version: string): string[] {
  return earlierReleaseTags({
    releases: history.releases,
    tags: history.tagRefs.map((r) => r.ref.replace(/^refs\/tags\//, '')),
    tag,
    version,
  });
}

/**
 * Prepares the GitHub release of a version: finds its tag (`v`-prefixed or not, as it exists),
 * the previous release on the same line, `make_latest`, and writes the notes (commits or changelog
 * file). Everything that can fail on bad content fails here, before any tag moves.
 *
 * @returns undefined when no release is requested.
 * @throws ConfigurationError for a missing repository, a sha that cannot create the tag, a missing changelog section or file.
 * @throws PolicyError `NO_DRAFT_RELEASE` when publish-draft has no draft to publish; `RELEASE_TAG_MISSING`
 *   when the tag does not exist and the request has no sha.
 * @example
 * ```ts
 * const prepared = await prepareRelease({ release, version: '1.4.0', sha, verification }, runtime, {}, 'tagwright-promote');
 * // ...move the tags...
 * const outcome = await prepared?.publish({ destination: 'ghcr.io/acme/app', digest }, null);
 * ```
 */
export async function prepareRelease(
  request: ReleaseRequest,
  runtime: Runtime,
  deps: ReleaseDeps = {},
  userAgent = 'tagwright',
): Promise<PreparedRelease | undefined> {
  const { release, version } = request;
  if (release.mode === 'none' && !release.publishDraft) return undefined;
  const github = deps.github ?? createReleaseGitHubClient(release, runtime, userAgent);
  const git = deps.git ?? createGitRunner({ env: { ...runtime.env } });
  const repoUrl = `${(runtime.env.GITHUB_SERVER_URL ?? 'https://github.com').replace(/\/+$/, '')}/${github.owner}/${github.repo}`;
  const workspace = runtime.env.GITHUB_WORKSPACE;

  // The tag: the spelling that exists (1.2.1 or v1.2.1), else the version as given.
  let tag = version;
  let tagExists = false;
  for (const spelling of tagSpellings(version)) {
    if (await github.getRef(`tags/${spelling}`)) {
      tag = spelling;
      tagExists = true;
      break;
    }
  }
  if (!tagExists && request.sha === undefined) {
    throw new PolicyError(
      'RELEASE_TAG_MISSING',
      `create the release ${tag}: ${owner(github)} has no tag ${tagSpellings(version).join(' or ')}, and no commit is known to create it at`,
    );
  }
  if (!tagExists && !isFullCommitSha(request.sha ?? '')) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `create the release ${tag}: the tag does not exist on GitHub and input sha ${JSON.stringify(request.sha)} is not a full commit sha to create it at`,
    );
  }

  const history = await readReleaseHistory(github);
  const existing = history.releases.find((r) => r.tagName === tag);
  // Releases and version tags both count: a repository may tag releases it never published on GitHub.
  const known = knownReleaseTags(history, tag, version);
  const previous = previousRelease(version, known);
  const makeLatest = makeLatestFor(version, known);
  const prerelease = versionOfTag(version)!.isPrerelease;

  if (release.publishDraft && existing) {
    if (!existing.draft) {
      runtime.info(`release ${tag} is already published: ${existing.htmlUrl}`);
      return alreadyPublished(existing, { tag, tagExists, previous, makeLatest, prerelease });
    }
    return {
      tag,
      tagExists,
      previous,
      makeLatest,
      prerelease,
      action: 'publish-draft',
      notesSource: 'the draft release (kept as written)',
      async publish() {
        const published = await github.publishDraft(existing.id, { makeLatest });
        return outcome(published, 'published', makeLatest, previous, 'the draft release (kept as written)');
      },
    };
  }
  if (release.publishDraft && release.mode === 'none') {
    throw new PolicyError(
      'NO_DRAFT_RELEASE',
      `publish the draft release of ${tag}: ${owner(github)} has no release of tag ${tag}; create one with release: draft first, or use release: published`,
    );
  }

  // Write the notes now: a missing changelog section must fail before any tag moves.
  const to = tagExists ? tag : (request.sha ?? tag);
  let notes = '';
  let notesSource = 'nothing (release-notes: none)';
  if (release.notes.kind === 'commits') {
    const { commits, where } = await readCommits({ git, github, workspace, previous, to, runtime });
    notes =
      previous === undefined && commits.length === 0
        ? `First release of ${github.owner}/${github.repo}.\n`
        : notesFromCommits(commits, { repoUrl, ...(previous !== undefined ? { from: previous, to: tag } : {}) });
    notesSource = `commits ${previous !== undefined ? `${previous}..` : 'up to '}${tag} (${where})`;
  } else if (release.notes.kind === 'changelog-file') {
    const read = await readChangelog({ git, workspace, version, template: release.notes.template, to });
    notes = read.notes;
    notesSource = read.where;
  }

  return {
    tag,
    tagExists,
    previous,
    makeLatest,
    prerelease,
    action: 'create-or-update',
    notesSource,
    async publish(image, verification) {
      const footer = verificationFooter({
        images: [{ reference: image.destination, digest: image.digest }],
        ...signerOf(request.verification, verification),
      });
      const body = [notes.trim(), footer.trim()].filter((part) => part !== '').join('\n\n') + '\n';
      const { release: written, created } = await github.createOrUpdateRelease({
        tag,
        name: tag,
        body,
        draft: release.mode === 'draft',
        prerelease,
        makeLatest,
        ...(tagExists || request.sha === undefined ? {} : { targetCommitish: request.sha }),
      });
      return outcome(written, created ? 'created' : 'updated', makeLatest, previous, notesSource);
    },
  };
}

function owner(github: GitHubClient): string {
  return `${github.owner}/${github.repo}`;
}

function alreadyPublished(
  existing: Release,
  decided: Pick<PreparedRelease, 'tag' | 'tagExists' | 'previous' | 'makeLatest' | 'prerelease'>,
): PreparedRelease {
  const notesSource = 'the published release (unchanged)';
  return {
    ...decided,
    action: 'already-published',
    notesSource,
    publish: async () => outcome(existing, 'unchanged', decided.makeLatest, decided.previous, notesSource),
  };
}

function outcome(
  release: Release,
  change: ReleaseOutcome['change'],
  makeLatest: 'true' | 'false',
  previous: string | undefined,
  notesSource: string,
): ReleaseOutcome {
  return { url: release.htmlUrl, tag: release.tagName, draft: release.draft, change, makeLatest, previous, notesSource };
}

/**
 * The identity and issuer the cosign commands check: the exact inputs verified with, else (for
 * regexp policies) the identity and issuer of the signature that verified. None unless verified.
 */
function signerOf(
  inputs: ReleaseRequest['verification'],
  verification: VerificationOutcome | null,
): { certificateIdentity?: string; certificateOidcIssuer?: string } {
  if (!verification?.verified) return {};
  const signature = (verification.detail as { signatures?: Array<{ signerIdentity?: string; issuer?: string }> } | null)?.signatures?.[0];
  const certificateIdentity = inputs.certificateIdentity ?? signature?.signerIdentity;
  const certificateOidcIssuer = inputs.certificateOidcIssuer ?? signature?.issuer;
  return certificateIdentity !== undefined && certificateOidcIssuer !== undefined ? { certificateIdentity, certificateOidcIssuer } : {};
}

/** True when `dir` is a git work tree with full history (a shallow clone would truncate the range). */
async function fullClone(git: GitRunner, dir: string | undefined): Promise<boolean> {
  if (!dir) return false;
  try {
    const result = await git(['rev-parse', '--is-shallow-repository'], { cwd: dir, allowFailure: true });
    return result.exitCode === 0 && result.stdout.trim() === 'false';
  } catch {
    return false;
  }
}

async function readCommits(options: {
  git: GitRunner;
  github: GitHubClient;
  workspace: string | undefined;
  previous: string | undefined;
  to: string;
  runtime: Pick<ActionRuntime, 'info' | 'warning'>;
}): Promise<{ commits: CommitInfo[]; where: string }> {
  const { git, github, workspace, previous, to, runtime } = options;
  if (workspace && (await fullClone(git, workspace))) {
    try {
      return { commits: await commitRange(git, workspace, previous, to), where: 'local clone' };
    } catch (error: unknown) {
      runtime.info(`release notes: the clone at ${workspace} cannot list ${previous ?? ''}..${to} (${errorMessage(error)}); asking GitHub`);
    }
  }
  if (previous === undefined) {
    runtime.warning(`release notes of a first release need the history: check out the repository with fetch-depth: 0 to list its commits`);
    return { commits: [], where: 'no history available' };
  }
  return { commits: await github.compareCommits(previous, to), where: 'GitHub compare' };
}

/** Reads a file as of the release commit when the clone has it, else from the working tree. */
async function readRepositoryFile(git: GitRunner, workspace: string, revision: string, file: string): Promise<string | undefined> {
  try {
    await resolveCommit(git, workspace, revision);
    return await readFileAtCommit(git, workspace, revision, file);
  } catch {
    try {
      return await readFile(path.join(workspace, file), 'utf8');
    } catch {
      return undefined;
    }
  }
}

async function readChangelog(options: {
  git: GitRunner;
  workspace: string | undefined;
  version: string;
  template: string;
  to: string;
}): Promise<{ notes: string; where: string }> {
  const { git, version, template, to } = options;
  const workspace = options.workspace ?? '.';
  let source: ChangelogSource;
  let where: string;
  if (template.includes('{version}')) {
    const files: Record<string, string> = {};
    for (const file of changelogPaths(version, template)) {
      const content = await readRepositoryFile(git, workspace, to, file);
      if (content !== undefined) {
        files[file] = content;
      }
    }
    where = Object.keys(files)[0] ?? template;
    source = { kind: 'per-version', template, files };
  } else {
    const content = await readRepositoryFile(git, workspace, to, template);
    if (content === undefined) {
      throw new ConfigurationError('MISSING_CHANGELOG', `read release notes of ${version}: no file ${JSON.stringify(template)} in the repository`);
    }
    where = template;
    source = { kind: 'keep-a-changelog', content };
  }
  return { notes: notesFromChangelog(version, source), where: `changelog ${where}` };
}
