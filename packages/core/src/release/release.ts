import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { changelogPaths, notesFromChangelog } from '../changelog/changelog-file.js';
import type { ChangelogSource } from '../changelog/changelog-file.js';
import { changelogSectionFinal } from '../changelog/final.js';
import { notesFromCommits } from '../changelog/notes.js';
import type { CommitInfo } from '../changelog/notes.js';
import { earlierReleaseTags, releaseTagSpellings } from '../changelog/releases.js';
import { footerVerification, verificationFooter } from '../changelog/verification.js';
import type { FooterPolicy } from '../changelog/verification.js';
import { makeLatestFor, previousRelease } from '../changelog/versions.js';
import { ConfigurationError, PolicyError, errorMessage } from '../errors.js';
import { commitRange, readFileAtCommit, resolveCommit } from '../git/log.js';
import type { GitRunner } from '../git/exec.js';
import { versionOfTag } from '../semver/version.js';
import type { VerificationSummary } from './after-move.js';
import type { ReleaseStore, StoredRelease } from './store.js';
import { evaluateReleaseGates } from './gates.js';
import type { GateFacts, GateResult } from './gates.js';
import { isFullCommitSha } from '../grammar/commit-sha.js';
import { renderStamp, validateStampTemplate } from '../policy/stamp.js';
import { parseStamp } from '../policy/stamp.js';

/** How a release is made: the `release`, `release-notes` and `publish-draft` inputs. */
export interface ReleaseOptions {
  /** `none` makes no release (unless `publishDraft`); `draft` or `published` creates or updates one. */
  mode: 'none' | 'draft' | 'published';
  /** Where the notes come from: the commits since the previous release, a changelog file, or nothing. */
  notes: { kind: 'commits' } | { kind: 'changelog-file'; template: string } | { kind: 'none' };
  /** Publish the existing draft of the version, notes kept as written. */
  publishDraft: boolean;
}

/** What the release of one version is made from. */
export interface ReleaseRequest {
  /** How the release is made. */
  release: ReleaseOptions;
  /**
   * The version released, spelled as given (`1.4.0` or `v1.4.0`); with `stampTemplate`, the release's
   * tag rendered from it (`prod-20261129-4f1c2d3`).
   */
  version: string;
  /**
   * A release named by a stamp instead of a SemVer version (`prod-{date}-{sha}`, for services
   * without versions): `version` is the tag exactly as rendered; the release is never a prerelease,
   * is made latest, and its notes compare with the newest earlier release whose tag reads as the same
   * template ({@link parseStamp}). Notes from a changelog file need a version: refused.
   */
  stampTemplate?: string;
  /**
   * The commit the tag is created at when it does not exist on the forge yet (a full 40-hex sha), or
   * a function giving it, called only then (the built commit, read from the image on demand).
   * Undefined when the caller has none: a missing tag is then a PolicyError `RELEASE_TAG_MISSING`.
   */
  sha?: string | (() => Promise<string>);
  /**
   * The verification inputs (exact identity and issuer, or key and where it is published, tlog and
   * provenance options): the footer's cosign commands repeat them.
   */
  verification: FooterPolicy;
  /**
   * Two-phase gates checked before any write ({@link evaluateReleaseGates}): `requireRelease` names
   * another release that must exist (`{version}` is replaced, e.g. `{version}-smoke`), optionally a
   * prerelease; `changelogFinal` requires the changelog section (release-notes `changelog-file:`) to be final.
   * With `publishDraft`, the draft gate is always reported.
   */
  gates?: { requireRelease?: { template: string; prerelease: boolean }; changelogFinal?: boolean };
}

/** What a release flow needs from the outside world. */
export interface ReleasePorts {
  /** The forge's releases and tags (GitHub, Forgejo). */
  store: ReleaseStore;
  /** Runs git in the workspace clone (notes from local history, changelog at the release commit). */
  git: GitRunner;
  /** The repository's clone, when the workflow checked it out. */
  workspace?: string;
  /** Progress lines. */
  onProgress?(message: string): void;
  /** Warnings (a first release without history). */
  onWarning?(message: string): void;
}

/** The image a release is about: `registry/repository` and the digest now on its tags. */
export interface ReleasedImage {
  /** `registry/repository`, e.g. `ghcr.io/acme/app`. */
  destination: string;
  /** The digest now on its tags, `sha256:…`. */
  digest: string;
}

/** What the release step will do, decided (and its notes written) before any tag moves. */
export interface PreparedRelease {
  /** The release's git tag, e.g. `v1.2.1`. */
  tag: string;
  /** True when the tag exists on the forge; else the release creates it at the request's sha. */
  tagExists: boolean;
  /** The previous release on the same line the notes compare with; undefined for a first release. */
  previous: string | undefined;
  /** GitHub's `make_latest` for this release (highest stable wins). */
  makeLatest: 'true' | 'false';
  /** True for a SemVer prerelease. */
  prerelease: boolean;
  /** `create-or-update` (draft or published as `release` says), or `publish-draft` of an existing draft. */
  action: 'create-or-update' | 'publish-draft' | 'already-published';
  /** Where the notes came from, for the summary (`commits v1.2.0..v1.2.1 (local clone)`). */
  notesSource: string;
  /** The two-phase gates checked, each passed (a failed one refuses before this is returned). */
  gates?: GateResult[];
  /**
   * Creates, updates or publishes the release; call after the tags moved. `image` is the promoted image,
   * or every image of a release set (each listed in the notes' verification footer with its digest).
   */
  publish(image: ReleasedImage | readonly ReleasedImage[], verification: VerificationSummary | null): Promise<ReleaseOutcome>;
}

/** The release as it is after {@link PreparedRelease.publish}. */
export interface ReleaseOutcome {
  /** The release's web page. */
  url: string;
  /** Its git tag. */
  tag: string;
  /** True while it is a draft. */
  draft: boolean;
  /** `created`, `updated`, `published` (a draft), or `unchanged` (already published, publish-draft re-run). */
  change: 'created' | 'updated' | 'published' | 'unchanged';
  /** The `make_latest` sent. */
  makeLatest: 'true' | 'false';
  /** The previous release the notes compare with. */
  previous: string | undefined;
  /** Where the notes came from. */
  notesSource: string;
}

/** The releases and tags of the repository, read once and shared by the decisions of a release flow. */
export interface ReleaseHistory {
  /** Every release, drafts included. */
  releases: StoredRelease[];
  /** Every git tag name. */
  tags: string[];
}

/**
 * Reads every release (drafts included) and every tag of the repository.
 *
 * @throws the store's error on an API failure.
 */
export async function readReleaseHistory(store: ReleaseStore): Promise<ReleaseHistory> {
  return { releases: await store.listReleases(), tags: await store.listTags() };
}

/**
 * The versions released before (or beside) `tag`: core `earlierReleaseTags` over a {@link ReleaseHistory}.
 *
 * @returns tag names, as spelled in the repository.
 */
export function knownReleaseTags(history: ReleaseHistory, tag: string, version: string): string[] {
  return earlierReleaseTags({ releases: history.releases, tags: history.tags, tag, version });
}

/**
 * The tag of a release named by a stamp (`release-tag: prod-{date}-{sha}`): the template rendered
 * with the promotion's time (UTC) and, only when the template has `{sha}`, the built commit (7 hex).
 *
 * @param template - the stamp template, validated ({@link validateStampTemplate}).
 * @param now - the promotion's time.
 * @param commit - the built commit (a full sha); called only when the template has `{sha}`.
 * @returns the rendered tag, e.g. `prod-20261207-4f1c2d3`.
 * @throws {@link ConfigurationError} `INVALID_INPUT` for a malformed template, or a rendering that is not a valid tag.
 */
export async function stampReleaseTag(template: string, now: Date, commit: () => Promise<string>): Promise<string> {
  const sha = validateStampTemplate(template).placeholders.includes('sha') ? await commit() : '';
  return renderStamp(template, { now, sha });
}

/**
 * Prepares the release of a version: finds its tag (`v`-prefixed or not, as it exists), the previous
 * release on the same line, `make_latest`, and writes the notes (commits or changelog file).
 * Everything that can fail on bad content fails here, before any tag moves.
 *
 * @param request - the release options, the version, the commit, the verification inputs.
 * @param ports - the release store, git, the workspace.
 * @returns undefined when no release is requested.
 * @throws {@link ConfigurationError} for a sha that cannot create the tag, a missing changelog section or file.
 * @throws {@link PolicyError} `NO_DRAFT_RELEASE` when publish-draft has no draft to publish; `RELEASE_TAG_MISSING`
 *   when the tag does not exist and the request has no sha.
 * @example
 * ```ts
 * const prepared = await prepareRelease({ release, version: '1.4.0', sha, verification: {} }, { store, git, workspace });
 * // ...move the tags...
 * const outcome = await prepared?.publish({ destination: 'ghcr.io/acme/app', digest }, null);
 * ```
 */
export async function prepareRelease(request: ReleaseRequest, ports: ReleasePorts): Promise<PreparedRelease | undefined> {
  const { release, version } = request;
  const { store } = ports;
  if (release.mode === 'none' && !release.publishDraft) return undefined;

  const stamped = request.stampTemplate !== undefined;
  if (stamped && release.notes.kind === 'changelog-file') {
    throw new ConfigurationError('INVALID_INPUT', `create the release ${version}: a release named by a stamp has no version to read a changelog section of; use release-notes: commits or none`);
  }
  // The tag: the spelling that exists (1.2.1 or v1.2.1), else the version as given; a stamp as rendered.
  let tag = version;
  let tagExists = false;
  for (const spelling of stamped ? [version] : releaseTagSpellings(version)) {
    if (await store.tagExists(spelling)) {
      tag = spelling;
      tagExists = true;
      break;
    }
  }
  // The commit is needed (and, when it is the image's built commit, read) only to create the tag.
  const sha = typeof request.sha === 'function' ? (tagExists ? undefined : await request.sha()) : request.sha;
  if (!tagExists && sha === undefined) {
    throw new PolicyError(
      'RELEASE_TAG_MISSING',
      `create the release ${tag}: ${store.repository} has no tag ${stamped ? tag : releaseTagSpellings(version).join(' or ')}, and no commit is known to create it at`,
    );
  }
  if (!tagExists && !isFullCommitSha(sha ?? '')) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `create the release ${tag}: the tag does not exist on GitHub and the commit ${JSON.stringify(sha)} (input sha, or the image's revision) is not a full commit sha to create it at`,
    );
  }

  const history = await readReleaseHistory(store);
  const existing = history.releases.find((r) => r.tagName === tag);
  // Releases and version tags both count: a repository may tag releases it never published on the forge.
  let previous: string | undefined;
  let makeLatest: 'true' | 'false';
  let prerelease: boolean;
  if (request.stampTemplate !== undefined) {
    previous = previousStampRelease(history.releases, tag, request.stampTemplate);
    makeLatest = 'true';
    prerelease = false;
  } else {
    const known = knownReleaseTags(history, tag, version);
    previous = previousRelease(version, known);
    makeLatest = makeLatestFor(version, known);
    prerelease = versionOfTag(version)!.isPrerelease;
  }
  const to = tagExists ? tag : (sha ?? tag);
  const gates = await checkGates(request, ports, { tag, existing, history: history.releases, to });
  const decided = { tag, tagExists, previous, makeLatest, prerelease, ...(gates.length > 0 ? { gates } : {}) };

  if (release.publishDraft && existing) {
    if (!existing.draft) {
      ports.onProgress?.(`release ${tag} is already published: ${existing.url}`);
      const notesSource = 'the published release (unchanged)';
      return { ...decided, action: 'already-published', notesSource, publish: async () => outcome(existing, 'unchanged', decided, notesSource) };
    }
    const notesSource = 'the draft release (kept as written)';
    return {
      ...decided,
      action: 'publish-draft',
      notesSource,
      async publish() {
        return outcome(await store.publishDraft(existing.id, { makeLatest }), 'published', decided, notesSource);
      },
    };
  }
  if (release.publishDraft && release.mode === 'none') {
    throw new PolicyError(
      'NO_DRAFT_RELEASE',
      `publish the draft release of ${tag}: ${store.repository} has no release of tag ${tag}; create one with release: draft first, or use release: published`,
    );
  }

  // Write the notes now: a missing changelog section must fail before any tag moves.
  let notes = '';
  let notesSource = 'nothing (release-notes: none)';
  if (release.notes.kind === 'commits') {
    const { commits, where } = await readCommits(ports, previous, to);
    notes =
      previous === undefined && commits.length === 0
        ? `First release of ${store.repository}.\n`
        : notesFromCommits(commits, { repoUrl: store.webUrl, ...(previous !== undefined ? { from: previous, to: tag } : {}) });
    notesSource = `commits ${previous !== undefined ? `${previous}..` : 'up to '}${tag} (${where})`;
  } else if (release.notes.kind === 'changelog-file') {
    const read = await readChangelog(ports, version, release.notes.template, to);
    notes = read.notes;
    notesSource = read.where;
  }

  return {
    ...decided,
    action: 'create-or-update',
    notesSource,
    async publish(image, verification) {
      const footer = verificationFooter({
        images: (Array.isArray(image) ? (image as readonly ReleasedImage[]) : [image as ReleasedImage]).map((one) => ({ reference: one.destination, digest: one.digest })),
        ...footerVerification(request.verification, verification),
      });
      const body = [notes.trim(), footer.trim()].filter((part) => part !== '').join('\n\n') + '\n';
      const { release: written, created } = await store.createOrUpdateRelease({
        tag,
        name: tag,
        body,
        draft: release.mode === 'draft',
        prerelease,
        makeLatest,
        ...(tagExists || sha === undefined ? {} : { targetCommitish: sha }),
      });
      return outcome(written, created ? 'created' : 'updated', decided, notesSource);
    },
  };
}

/**
 * The release a stamp-named release compares with: the newest published release, other than `tag`,
 * whose tag reads as `template` with a time not after `tag`'s; undefined for the first.
 */
function previousStampRelease(releases: readonly StoredRelease[], tag: string, template: string): string | undefined {
  const own = parseStamp(tag, template)?.date.getTime() ?? Number.POSITIVE_INFINITY;
  let best: { tag: string; time: number } | undefined;
  for (const one of releases) {
    if (one.draft || one.tagName === tag) continue;
    const time = parseStamp(one.tagName, template)?.date.getTime();
    if (time === undefined || time > own) continue;
    if (!best || time > best.time) best = { tag: one.tagName, time };
  }
  return best?.tag;
}

function outcome(
  release: StoredRelease,
  change: ReleaseOutcome['change'],
  decided: Pick<PreparedRelease, 'makeLatest' | 'previous'>,
  notesSource: string,
): ReleaseOutcome {
  return { url: release.url, tag: release.tagName, draft: release.draft, change, makeLatest: decided.makeLatest, previous: decided.previous, notesSource };
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

async function readCommits(ports: ReleasePorts, previous: string | undefined, to: string): Promise<{ commits: CommitInfo[]; where: string }> {
  const { git, store, workspace } = ports;
  if (workspace && (await fullClone(git, workspace))) {
    try {
      return { commits: await commitRange(git, workspace, previous, to), where: 'local clone' };
    } catch (error: unknown) {
      ports.onProgress?.(`release notes: the clone at ${workspace} cannot list ${previous ?? ''}..${to} (${errorMessage(error)}); asking GitHub`);
    }
  }
  if (previous === undefined) {
    ports.onWarning?.(`release notes of a first release need the history: check out the repository with fetch-depth: 0 to list its commits`);
    return { commits: [], where: 'no history available' };
  }
  return { commits: await store.compareCommits(previous, to), where: 'GitHub compare' };
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

async function readChangelog(ports: ReleasePorts, version: string, template: string, to: string): Promise<{ notes: string; where: string }> {
  const { source, where } = await readChangelogSource(ports, version, template, to);
  return { notes: notesFromChangelog(version, source), where: `changelog ${where}` };
}

/**
 * Reads the facts of the configured two-phase gates and decides them ({@link evaluateReleaseGates});
 * any failed gate refuses with PolicyError `RELEASE_GATE_FAILED` listing every gate, before any write.
 */
async function checkGates(
  request: ReleaseRequest,
  ports: ReleasePorts,
  context: { tag: string; existing: StoredRelease | undefined; history: readonly StoredRelease[]; to: string },
): Promise<GateResult[]> {
  const { gates, release, version } = request;
  const facts: GateFacts = {};
  if (release.publishDraft) {
    facts.draft = {
      tag: context.tag,
      repository: ports.store.repository,
      createWithoutDraft: release.mode !== 'none',
      ...(context.existing ? { existing: { draft: context.existing.draft } } : {}),
    };
  }
  if (gates?.requireRelease) {
    const bare = version.replace(/^v(?=\d)/, '');
    const wanted = gates.requireRelease.template.replaceAll('{version}', bare);
    const spellings = wanted === gates.requireRelease.template ? [wanted] : [wanted, gates.requireRelease.template.replaceAll('{version}', `v${bare}`)];
    const found = context.history.find((one) => spellings.includes(one.tagName)) ?? (await ports.store.findReleaseByTag(wanted));
    facts.requireRelease = { tag: wanted, prerelease: gates.requireRelease.prerelease, ...(found ? { found: { draft: found.draft, prerelease: found.prerelease } } : {}) };
  }
  if (gates?.changelogFinal) {
    if (release.notes.kind !== 'changelog-file') {
      throw new ConfigurationError('INVALID_INPUT', 'check the changelog gate: it needs release-notes: changelog-file:<path>');
    }
    try {
      const { source } = await readChangelogSource(ports, version, release.notes.template, context.to);
      facts.changelog = changelogSectionFinal(version, source);
    } catch (error: unknown) {
      facts.changelog = { passed: false, reason: errorMessage(error) };
    }
  }
  const results = evaluateReleaseGates(facts);
  for (const result of results) ports.onProgress?.(`gate ${result.gate}: ${result.passed ? 'passed' : 'failed'}: ${result.reason}`);
  if (results.some((result) => !result.passed)) {
    throw new PolicyError(
      'RELEASE_GATE_FAILED',
      `release ${context.tag}: refused before any write: ${results.map((result) => `${result.gate} ${result.passed ? 'passed' : 'FAILED'} (${result.reason})`).join('; ')}`,
    );
  }
  return results;
}

async function readChangelogSource(ports: ReleasePorts, version: string, template: string, to: string): Promise<{ source: ChangelogSource; where: string }> {
  const { git } = ports;
  const workspace = ports.workspace ?? '.';
  let source: ChangelogSource;
  let where: string;
  if (template.includes('{version}') || template.includes('{base}')) {
    const files: Record<string, string> = {};
    for (const file of changelogPaths(version, template)) {
      const content = await readRepositoryFile(git, workspace, to, file);
      if (content !== undefined) files[file] = content;
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
  return { source, where };
}
