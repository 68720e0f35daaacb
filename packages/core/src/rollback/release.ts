import { findReleaseOf } from '../changelog/releases.js';
import { makeLatestFor } from '../changelog/versions.js';
import { PolicyError, errorMessage } from '../errors.js';
import { rollbackMarker, rollbackNotice } from '../policy/rollback.js';
import type { PromoteReport } from '../promote/promote.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { resolveDigestIfExists } from '../registry/resolve.js';
import { knownReleaseTags, prepareRelease, readReleaseHistory } from '../release/release.js';
import type { VerificationSummary } from '../release/after-move.js';
import type { PreparedRelease, ReleaseOptions, ReleasePorts, ReleaseRequest } from '../release/release.js';
import type { StoredRelease } from '../release/store.js';
import { compareVersions, versionOfTag } from '../semver/version.js';

/** What the rollback knows when its release step is prepared (before anything moves). */
export interface RollbackReleaseContext {
  /** The registry client the rollback reads with. */
  client: Pick<RegistryClient, 'resolveDigest'>;
  /** The repository rolled back. */
  repository: RepositoryReference;
  /** Every tag of the repository, as listed for the history. */
  tags: readonly string[];
  /** The track tag. */
  track: string;
  /** The digest replaced. */
  fromDigest: string;
  /** The digest the track moves to. */
  toDigest: string;
  /** The tag the target was found under (`to` or the history tag); empty when none. */
  toTag: string;
  /** The rollback's audit tag. */
  auditTag: string;
  /** The time of the rollback. */
  now: Date;
}

/** The release step of a rollback, decided before the tags move. */
export interface PreparedRollbackRelease {
  /** The version now on the track, when found. */
  toVersion: string | undefined;
  /** The version replaced, when found. */
  fromVersion: string | undefined;
  /** Summary lines of the plan (what a dry run shows). */
  plan: string[];
  /** Things skipped (no version tag on a digest, no git tag): shown as warnings. */
  warnings: string[];
  /** Ensures the release of the version rolled back to and marks the replaced one; call after the move. */
  apply(moveReport: PromoteReport, verification: VerificationSummary | null): Promise<RollbackReleaseResult>;
}

/** What {@link PreparedRollbackRelease.apply} did. */
export interface RollbackReleaseResult {
  /** The URL of the release of the version rolled back to; undefined when there is none. */
  url: string | undefined;
  /** Summary lines, one per release. */
  lines: string[];
}

/** What the release step of a rollback is asked to do. */
export interface RollbackReleaseRequest {
  /** How releases are made (`release`, `release-notes`); `publishDraft` is not used by a rollback. */
  release: ReleaseOptions;
  /** The version of the target, when the user gave it (else found from the registry's SemVer tags). */
  version?: string;
  /** The exact identity and issuer verified with, for the footer. */
  verification: ReleaseRequest['verification'];
}

/**
 * Prepares the release side of a rollback: finds the versions of the two digests from the
 * registry's SemVer tags (the given version or a version `to` tag first), prepares the release of
 * the version rolled back to exactly as promote would (unless it exists) and finds the release of
 * the replaced version to mark with {@link rollbackNotice}. Reads only; a missing changelog section
 * fails here, before anything moves.
 *
 * @param request - the release options, the version, the verification inputs.
 * @param context - what the rollback decided.
 * @param ports - the release store, git, the workspace.
 * @returns undefined when no release is requested.
 * @throws {@link ConfigurationError} for a missing changelog section or file; the store's error on an API failure.
 */
export async function prepareRollbackRelease(
  request: RollbackReleaseRequest,
  context: RollbackReleaseContext,
  ports: ReleasePorts,
): Promise<PreparedRollbackRelease | undefined> {
  const { release } = request;
  const { store } = ports;
  if (release.mode === 'none') return undefined;
  const warnings: string[] = [];
  const plan: string[] = [];

  const wanted = new Map<string, string | undefined>([
    [context.toDigest, request.version ?? (versionOfTag(context.toTag) ? context.toTag : undefined)],
    [context.fromDigest, undefined],
  ]);
  const versions = await versionsOfDigests(context, wanted);
  const toVersion = versions.get(context.toDigest);
  const fromVersion = versions.get(context.fromDigest);

  // The release of the version rolled back to: created as promote would, else left as it is.
  const history = await readReleaseHistory(store);
  let toExisting: StoredRelease | undefined;
  let toPrepared: PreparedRelease | undefined;
  if (toVersion === undefined) {
    toExisting = stampReleaseOf(history.releases, context, context.toDigest);
    if (toExisting) plan.push(`release ${toExisting.tagName} of ${context.toDigest} exists (${toExisting.draft ? 'draft' : 'published'}): left as it is`);
    else warnings.push(`no release changed for ${context.toDigest}: no SemVer tag of ${context.repository.repository} points at it (give the input version)`);
  } else {
    toExisting = findReleaseOf(history.releases, toVersion);
    if (toExisting) {
      plan.push(`release ${toExisting.tagName} of ${toVersion} exists (${toExisting.draft ? 'draft' : 'published'}): left as it is`);
    } else {
      try {
        toPrepared = await prepareRelease(
          { release: { ...release, publishDraft: false }, version: toVersion, verification: request.verification },
          ports,
        );
      } catch (error: unknown) {
        if (!(error instanceof PolicyError && error.code === 'RELEASE_TAG_MISSING')) throw error;
        warnings.push(`no release created for ${toVersion}: ${errorMessage(error)}`);
      }
      if (toPrepared) {
        plan.push(
          `release ${toPrepared.tag} of ${toVersion}: created as ${release.mode} (make_latest ${toPrepared.makeLatest}); notes from ${toPrepared.notesSource}`,
        );
      }
    }
  }

  // The release of the replaced version: one notice per audit tag.
  const marker = rollbackMarker(context.auditTag);
  let fromExisting: StoredRelease | undefined;
  if (fromVersion === undefined) fromExisting = stampReleaseOf(history.releases, context, context.fromDigest);
  if (fromVersion === undefined && !fromExisting) {
    warnings.push(`no release marked for ${context.fromDigest}: no SemVer tag of ${context.repository.repository} points at it, and no release named by a stamp lists it`);
  } else {
    fromExisting ??= findReleaseOf(history.releases, fromVersion as string);
    if (!fromExisting) plan.push(`no release of ${fromVersion} on GitHub: nothing to mark`);
    else if ((fromExisting.body ?? '').includes(marker)) plan.push(`release ${fromExisting.tagName} already carries the notice of ${context.auditTag}`);
    else plan.push(`release ${fromExisting.tagName}: rollback notice (audit tag ${context.auditTag}) prepended`);
  }

  return {
    toVersion,
    fromVersion,
    plan,
    warnings,
    async apply(moveReport, verification) {
      const lines: string[] = [];
      let url: string | undefined;
      if (toExisting) {
        url = toExisting.url;
        lines.push(`[${toExisting.tagName}](${toExisting.url}) (${toVersion ?? context.toDigest}, now on \`${context.track}\`): exists, left as it is`);
      } else if (toPrepared) {
        const written = await toPrepared.publish(moveReport, verification);
        url = written.url;
        lines.push(
          `[${written.tag}](${written.url}) (${toVersion}, now on \`${context.track}\`): ${written.change} (${written.draft ? 'draft' : `published, make_latest ${written.makeLatest}`}); notes from ${written.notesSource}`,
        );
      }
      if (fromExisting) {
        // A release named by a stamp has no version: its tag names it in the notice.
        const replaced = fromVersion ?? fromExisting.tagName;
        const current = (await store.findReleaseByTag(fromExisting.tagName)) ?? fromExisting;
        const body = current.body ?? '';
        if (body.includes(marker)) {
          lines.push(`[${current.tagName}](${current.url}) (${replaced}, replaced): already carries the notice of \`${context.auditTag}\``);
        } else {
          const notice = rollbackNotice({ ...context, fromVersion: replaced, toVersion: toVersion ?? (toExisting && !versionOfTag(toExisting.tagName) ? toExisting.tagName : undefined) });
          const { release: written } = await store.createOrUpdateRelease({
            tag: current.tagName,
            name: current.name ?? current.tagName,
            body: body.trim() === '' ? `${notice}\n` : `${notice}\n\n${body}`,
            draft: current.draft,
            prerelease: current.prerelease,
            // Leaves "latest" where the highest-stable rule puts it (a stamp-named release: where it is).
            ...(fromVersion !== undefined ? { makeLatest: makeLatestFor(fromVersion, knownReleaseTags(history, current.tagName, fromVersion)) } : {}),
          });
          lines.push(`[${written.tagName}](${written.url}) (${replaced}, replaced): rollback notice prepended`);
        }
      }
      return { url, lines };
    },
  };
}

/**
 * The release named by a stamp (promote's `release-tag`, e.g. `prod-20261129-4f1c2d3`) of a digest
 * without a SemVer tag: a release whose tag is not a version and whose own notes (rollback notices
 * left out) list the digest, as promote's verification footer does; one whose tag is also an image
 * tag of the repository first.
 */
function stampReleaseOf(releases: readonly StoredRelease[], context: RollbackReleaseContext, digest: string): StoredRelease | undefined {
  const own = (body: string | null): string =>
    (body ?? '')
      .split('\n')
      .filter((line) => !line.startsWith('>') && !line.startsWith('<!-- tagwright:rollback'))
      .join('\n');
  const candidates = releases.filter((release) => versionOfTag(release.tagName) === undefined && own(release.body).includes(digest));
  const imageTags = new Set(context.tags);
  return candidates.find((release) => imageTags.has(release.tagName)) ?? candidates[0];
}

/**
 * The version of each wanted digest: the one given, else the highest SemVer tag of the
 * repository that resolves to it. Resolves version tags highest first, four at a time, and stops
 * as soon as every digest has one.
 */
async function versionsOfDigests(
  context: RollbackReleaseContext,
  wanted: Map<string, string | undefined>,
): Promise<Map<string, string | undefined>> {
  const found = new Map(wanted);
  const missing = () => [...found.values()].some((version) => version === undefined);
  const candidates = context.tags
    .filter((tag) => versionOfTag(tag) !== undefined)
    .sort((a, b) => compareVersions(versionOfTag(b)!, versionOfTag(a)!));
  for (let index = 0; index < candidates.length && missing(); index += 4) {
    const batch = candidates.slice(index, index + 4);
    const digests = await Promise.all(batch.map((tag) => resolveDigestIfExists(context.client, { ...context.repository, tag })));
    for (const [position, tag] of batch.entries()) {
      const digest = digests[position];
      if (digest !== undefined && found.has(digest) && found.get(digest) === undefined) found.set(digest, tag);
    }
  }
  return found;
}
