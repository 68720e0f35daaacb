// Loaded lazily by run.ts (a dynamic import): octokit and git live behind this file, off the main path.
// The release of the version rolled back to is action-kit's release step, shared with promote.
import type { ActionRuntime, VerificationOutcome } from '@tagwright/action-kit';
import { makeLatestFor } from '@tagwright/core/changelog';
import { PolicyError, errorMessage } from '@tagwright/core/errors';
import type { GitHubClient, Release } from '@tagwright/core/github';
import type { PromoteReport } from '@tagwright/core/promote';
import type { RegistryClient, RepositoryReference } from '@tagwright/core/registry';
import { compareVersions, versionOfTag } from '@tagwright/core/semver';
import {
  createReleaseGitHubClient,
  findVersionRelease,
  knownReleaseTags,
  prepareRelease,
  readReleaseHistory,
} from '../../action-kit/src/release.js';
import type { PreparedRelease, ReleaseDeps } from '../../action-kit/src/release.js';
import type { Inputs } from './inputs.js';
import { resolveDigestIfExists } from '@tagwright/core/registry';

/** What the rollback knows when the release step is prepared (before anything moves). */
export interface RollbackReleaseContext {
  client: RegistryClient;
  repository: RepositoryReference;
  /** Every tag of the repository, as listed for the history. */
  tags: readonly string[];
  track: string;
  fromDigest: string;
  toDigest: string;
  /** The tag the target was found under (`to` or the history tag); empty when none. */
  toTag: string;
  auditTag: string;
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
  apply(moveReport: PromoteReport, verification: VerificationOutcome | null): Promise<RollbackReleaseResult>;
}

/** What {@link PreparedRollbackRelease.apply} did. */
export interface RollbackReleaseResult {
  /** The URL of the release of the version rolled back to; undefined when there is none. */
  url: string | undefined;
  /** Summary lines, one per release. */
  lines: string[];
}

/** The marker that makes the rollback notice idempotent: one notice per audit tag. */
export function rollbackMarker(auditTag: string): string {
  return `<!-- tagwright:rollback ${auditTag} -->`;
}

/** The notice prepended to the release of the replaced version. */
export function rollbackNotice(options: {
  track: string;
  now: Date;
  fromVersion: string;
  fromDigest: string;
  toVersion: string | undefined;
  toDigest: string;
  auditTag: string;
}): string {
  const when = options.now.toISOString().replace(/\.\d{3}Z$/, 'Z').replace('T', ' ').replace('Z', ' UTC');
  const to = options.toVersion !== undefined ? `${options.toVersion} (${options.toDigest})` : options.toDigest;
  return [
    rollbackMarker(options.auditTag),
    '> [!WARNING]',
    `> Rolled back on ${when}: \`${options.track}\` moved from ${options.fromVersion} (${options.fromDigest}) to ${to}; audit tag \`${options.auditTag}\`.`,
  ].join('\n');
}

/**
 * Prepares the GitHub side of a rollback: finds the versions of the two digests from the
 * registry's SemVer tags (the `version` input or a version `to` tag first), prepares the release of
 * the version rolled back to exactly as promote would (unless it exists) and finds the release of
 * the replaced version to mark. Reads only; a missing changelog section fails here, before anything moves.
 *
 * @returns undefined when no release is requested.
 */
export async function prepareRollbackRelease(
  inputs: Inputs,
  context: RollbackReleaseContext,
  runtime: Pick<ActionRuntime, 'env' | 'warning' | 'info'>,
  deps: ReleaseDeps = {},
): Promise<PreparedRollbackRelease | undefined> {
  const { release } = inputs;
  if (release.mode === 'none') return undefined;
  const github: GitHubClient = deps.github ?? createReleaseGitHubClient(release, runtime, 'tagwright-rollback');
  const warnings: string[] = [];
  const plan: string[] = [];

  const wanted = new Map<string, string | undefined>([
    [context.toDigest, release.version ?? (versionOfTag(context.toTag) ? context.toTag : undefined)],
    [context.fromDigest, undefined],
  ]);
  const versions = await versionsOfDigests(context, wanted);
  const toVersion = versions.get(context.toDigest);
  const fromVersion = versions.get(context.fromDigest);

  // The release of the version rolled back to: created as promote would, else left as it is.
  const history = await readReleaseHistory(github);
  let toExisting: Release | undefined;
  let toPrepared: PreparedRelease | undefined;
  if (toVersion === undefined) {
    warnings.push(`no release changed for ${context.toDigest}: no SemVer tag of ${context.repository.repository} points at it (give the input version)`);
  } else {
    toExisting = findVersionRelease(history, toVersion);
    if (toExisting) {
      plan.push(`release ${toExisting.tagName} of ${toVersion} exists (${toExisting.draft ? 'draft' : 'published'}): left as it is`);
    } else {
      try {
        toPrepared = await prepareRelease(
          { release: { ...release, publishDraft: false }, version: toVersion, verification: inputs.verification },
          runtime,
          { ...deps, github },
          'tagwright-rollback',
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
  let fromExisting: Release | undefined;
  if (fromVersion === undefined) {
    warnings.push(`no release marked for ${context.fromDigest}: no SemVer tag of ${context.repository.repository} points at it`);
  } else {
    fromExisting = findVersionRelease(history, fromVersion);
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
        url = toExisting.htmlUrl;
        lines.push(`[${toExisting.tagName}](${toExisting.htmlUrl}) (${toVersion}, now on \`${context.track}\`): exists, left as it is`);
      } else if (toPrepared) {
        const written = await toPrepared.publish(moveReport, verification);
        url = written.url;
        lines.push(
          `[${written.tag}](${written.url}) (${toVersion}, now on \`${context.track}\`): ${written.change} (${written.draft ? 'draft' : `published, make_latest ${written.makeLatest}`}); notes from ${written.notesSource}`,
        );
      }
      if (fromExisting && fromVersion !== undefined) {
        const current = (await github.findReleaseByTag(fromExisting.tagName)) ?? fromExisting;
        const body = current.body ?? '';
        if (body.includes(marker)) {
          lines.push(`[${current.tagName}](${current.htmlUrl}) (${fromVersion}, replaced): already carries the notice of \`${context.auditTag}\``);
        } else {
          const notice = rollbackNotice({ ...context, fromVersion, toVersion });
          const { release: written } = await github.createOrUpdateRelease({
            tag: current.tagName,
            name: current.name ?? current.tagName,
            body: body.trim() === '' ? `${notice}\n` : `${notice}\n\n${body}`,
            draft: current.draft,
            prerelease: current.prerelease,
            // Leaves "latest" where the highest-stable rule puts it.
            makeLatest: makeLatestFor(fromVersion, knownReleaseTags(history, current.tagName, fromVersion)),
          });
          lines.push(`[${written.tagName}](${written.htmlUrl}) (${fromVersion}, replaced): rollback notice prepended`);
        }
      }
      return { url, lines };
    },
  };
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
