import pLimit from 'p-limit';
import { PartialMutationError, PolicyError, errorMessage } from '../errors.js';
import { expandVersionPattern, isVersionPattern, pickCommonBuild, planSetRollback } from '../policy/release-set.js';
import type { CommonBuildPick, SetRollbackStep } from '../policy/release-set.js';
import { REVISION_KEY, setCommitMismatch } from '../policy/built-commit.js';
import type { BuiltCommit } from '../policy/built-commit.js';
import { downgradeMessage, findDowngrades, isFloatingVersionTag } from '../policy/downgrade.js';
import { renderStamp, validateStampTemplate } from '../policy/stamp.js';
import type { RegistryClient } from '../registry/client.js';
import { formatReference, validateDigest, validateTag } from '../registry/reference.js';
import type { RawManifest, RepositoryReference } from '../registry/index.js';
import { resolveDigestIfExists } from '../registry/resolve.js';
import { afterTagsMoved } from '../release/after-move.js';
import type { VerificationSummary } from '../release/after-move.js';
import type { PreparedRelease, ReleaseOutcome } from '../release/release.js';
import type { TargetReport } from './promote.js';
import { builtCommitReader, readImageRevision } from './revision.js';
import { compareVersions, versionOfTag } from '../semver/version.js';

/** How many registry requests of a set run at once (plan reads, writes, re-reads, rollback). */
const SET_CONCURRENCY = 8;

/**
 * The source of a release set: one tag every image holds, a version pattern (`1.5.0-staging.*`, or
 * `staging.*` with `base`) picked by {@link pickCommonBuild}, or one digest per image.
 */
export type SetSource =
  | { kind: 'tag'; tag: string }
  | { kind: 'pattern'; pattern: string; base?: string }
  | { kind: 'digests'; digests: Readonly<Record<string, string>> };

/** What a set promotion is asked to do. */
export interface PromoteSetRequest {
  /** The images, each promoted within its own repository. */
  images: readonly RepositoryReference[];
  source: SetSource;
  /** Target tags; a tag with `{` is a stamp template rendered with `now` and the built commit. */
  targets: readonly string[];
  /**
   * The commit for `{sha}` and the release's target commit when given explicitly (wins, no request);
   * empty or absent: the first image's `org.opencontainers.image.revision`, read from the manifest
   * the plan reads anyway, else `workflowCommit`.
   */
  sha?: string;
  /** The workflow's commit (`github.sha`), the last resort for the built commit. */
  workflowCommit?: string;
  /**
   * The release version promoted, for the downgrade guard (a floating target such as `latest` must
   * not move to a lower version than it holds); default: the `X.Y.Z` of a version-pattern pick
   * (`2.1.0` for `2.1.0-staging.3`, never the staging build itself), or the tag given when it is a version.
   */
  version?: string;
  /** Allow a floating version tag to move to a lower version. */
  allowDowngrade?: boolean;
  /** Plan only: resolve, verify and report, write nothing. */
  dryRun: boolean;
  now: Date;
}

/** What a set promotion needs from the outside world. */
export interface PromoteSetPorts<V extends VerificationSummary> {
  client: RegistryClient;
  /** Loads trust before any request; returns the verifier of one image's digest (throws to refuse). Absent: none configured. */
  prepareVerifier?(): Promise<(image: RepositoryReference, digest: string) => Promise<V>>;
  /**
   * Decides the release and writes its notes before any tag moves; undefined when none is requested.
   * `commit` gives the built commit (read on the first call only).
   */
  prepareRelease?(commit: () => Promise<BuiltCommit>): Promise<PreparedRelease | undefined>;
  onProgress?(message: string): void;
}

/** One target of one image: {@link TargetReport} plus what was attempted and what the rollback did. */
export interface SetTargetReport extends TargetReport {
  /** The digest the promotion wanted this tag at. */
  attempted: string;
  /**
   * After a failed set: `restored` (put back at `before`), `kept` (never moved), `cannot-delete` (did
   * not exist before; the OCI distribution API cannot delete a tag alone, so it stays at `attempted`),
   * `restore-failed` (put back was tried and failed: `after` says what it holds).
   */
  rollback?: 'restored' | 'kept' | 'cannot-delete' | 'restore-failed';
}

/** One image of a set. */
export interface SetImageReport<V> {
  /** `registry/repository`. */
  image: string;
  /** The source reference resolved, canonical form. */
  source: string;
  digest: string;
  mediaType: string;
  targets: SetTargetReport[];
  verification: V | null;
}

/** The outcome of {@link promoteSet}; also the `report` of the {@link PartialMutationError} it throws. */
export interface PromoteSetReport<V> {
  /** The pick of a version pattern source. */
  pick?: CommonBuildPick;
  /** The tag every image was promoted from (the pick, or the tag given); undefined for a digest map. */
  sourceTag?: string;
  images: SetImageReport<V>[];
  dryRun: boolean;
  /** False when every target already pointed at its digest (a re-run): nothing was written. */
  changed: boolean;
  /** True when a write failed and the moved targets were put back. */
  rolledBack: boolean;
  release?: PreparedRelease;
  released?: ReleaseOutcome;
  /** The commit `{sha}` and the release used, and where it came from; absent when nothing needed one. */
  commit?: BuiltCommit;
  warnings: string[];
}

/**
 * Promotes several images as one (a release set): all or nothing.
 *
 * 1. Plan, before the first write: pick the common build of a version pattern, resolve every image's
 *    source, verify each digest, read every target's current digest, render the stamps (`{sha}`: the
 *    built commit, {@link builtCommitReader}), refuse downgrades of floating tags, prepare the release. Any failure throws {@link PolicyError} `SET_REFUSED` naming each image and its reason;
 *    nothing is written.
 * 2. Write every target of every image with the same manifest bytes (concurrently, at most 8 requests
 *    at once), then re-read every target.
 * 3. When a write or re-read fails, every target that moved is put back at its previous digest (a tag
 *    that did not exist before stays: the OCI distribution API cannot delete a tag alone), re-read, and
 *    {@link PartialMutationError} carries the exact per-image, per-tag report (before / attempted /
 *    after / rollback).
 *
 * Re-running a finished promotion writes nothing (`changed: false`). Same-repository only (each image's
 * targets live in its own repository).
 *
 * @param request - see {@link PromoteSetRequest}.
 * @param ports - see {@link PromoteSetPorts}.
 * @returns the {@link PromoteSetReport}.
 * @throws PolicyError `SET_REFUSED` / `NO_COMMON_BUILD` / `INVALID_PATTERN` before any write (`SET_REFUSED`
 *   also when a floating target such as `latest` would move to a lower version than `version`, unless
 *   `allowDowngrade`).
 * @throws PartialMutationError with the {@link PromoteSetReport} after a failed write (rolled back).
 */
export async function promoteSet<V extends VerificationSummary>(request: PromoteSetRequest, ports: PromoteSetPorts<V>): Promise<PromoteSetReport<V>> {
  const { client } = ports;
  const progress = ports.onProgress ?? (() => {});
  const limit = pLimit(SET_CONCURRENCY);
  const names = request.images.map((image) => formatReference(image));
  if (new Set(names).size !== names.length) throw new PolicyError('SET_REFUSED', `promote set: an image is listed twice (${names.join(', ')})`);
  const usesSha = (target: string): boolean => target.includes('{') && validateStampTemplate(target).placeholders.includes('sha');
  const render = (target: string, sha: string): string => validateTag(target.includes('{') ? renderStamp(target, { now: request.now, sha }) : target);
  const targets = [...new Set(request.targets.filter((target) => !usesSha(target)).map((target) => render(target, '')))];
  const shaTargets = request.targets.filter(usesSha);
  const warnings: string[] = [];

  let pick: CommonBuildPick | undefined;
  let sourceTag: string | undefined;
  if (request.source.kind === 'pattern') {
    const pattern = expandVersionPattern(request.source.pattern, request.source.base);
    const listed = await Promise.all(request.images.map((image) => limit(async () => client.listTags(image))));
    pick = pickCommonBuild(pattern, Object.fromEntries(names.map((name, index) => [name, listed[index] ?? []])));
    for (const name of names) progress(`${name}: highest ${pattern} is ${pick.highest[name] ?? '(none)'}`);
    if (pick.pick === undefined) {
      throw new PolicyError('NO_COMMON_BUILD', `promote set: no build matching ${pattern} is held by every image; lacking it: ${pick.lacking.join(', ')}; nothing was written`);
    }
    sourceTag = pick.pick;
    progress(`common pick: ${sourceTag}`);
  } else if (request.source.kind === 'tag') {
    sourceTag = validateTag(request.source.tag);
  } else {
    const given = Object.keys(request.source.digests);
    const unknown = given.filter((key) => !names.includes(key));
    const missing = names.filter((name) => request.source.kind === 'digests' && request.source.digests[name] === undefined);
    if (unknown.length > 0 || missing.length > 0) {
      throw new PolicyError(
        'SET_REFUSED',
        `promote set: the digest map must name exactly the images${missing.length ? `; missing: ${missing.join(', ')}` : ''}${unknown.length ? `; not an image of the set: ${unknown.join(', ')}` : ''}`,
      );
    }
  }

  const sources = request.images.map((image, index) => {
    const digestOf = request.source.kind === 'digests' ? request.source.digests[names[index] as string] : undefined;
    return digestOf !== undefined ? { ...image, digest: validateDigest(digestOf) } : { ...image, tag: sourceTag as string };
  });
  // The set is built from one commit: the first image's revision, read from the manifest the plan reads.
  const commit = builtCommitReader(client, sources[0] as (typeof sources)[number], {
    ...(request.sha !== undefined ? { sha: request.sha } : {}),
    ...(request.workflowCommit !== undefined ? { workflowCommit: request.workflowCommit } : {}),
  });
  const version = request.allowDowngrade === true ? undefined : (request.version ?? (pick?.pick !== undefined ? releaseVersionOf(pick.pick) : sourceTag !== undefined && versionOfTag(sourceTag) ? sourceTag : undefined));

  const verifier = ports.prepareVerifier ? await ports.prepareVerifier() : undefined;
  if (!verifier) warnings.push(`promoting ${names.join(', ')} without signature verification: give certificate-identity and certificate-oidc-issuer, or key`);
  const release = ports.prepareRelease ? await ports.prepareRelease(() => commit.get()) : undefined;

  // Plan every image; collect every failure so the refusal names each image.
  const manifests = new Map<string, RawManifest>();
  // Every source manifest and every listing at once: the listing needs no manifest.
  const reads = sources.map((source) => limit(() => client.getManifest(source)));
  const listings = request.images.map((image) => limit(() => client.listTags(image)));
  for (const read of [...reads, ...listings]) read.catch(() => {}); // each is awaited by its image's plan
  const stampTargets: Promise<string[]> =
    shaTargets.length === 0 ? Promise.resolve([]) : (reads[0] as Promise<RawManifest>).then(async (manifest) => {
      const { sha } = await commit.get(manifest);
      return shaTargets.map((target) => render(target, sha));
    });
  stampTargets.catch(() => {});
  // When the set's commit may come from the first image's revision label, every other image's label is
  // read too (beside its verification), to say when the set was not built from one commit.
  const compareRevisions = request.images.length > 1 && !(request.sha !== undefined && request.sha.trim() !== '') && (shaTargets.length > 0 || commit.decided !== undefined);
  const revisions: Record<string, string | undefined> = {};
  const planned = await Promise.allSettled(
    request.images.map(async (image, index): Promise<SetImageReport<V>> => {
      const name = names[index] as string;
      const source = sources[index] as (typeof sources)[number];
      const manifest = await (reads[index] as Promise<RawManifest>);
      manifests.set(name, manifest);
      // The verification and the reads of the targets' current digests at once: neither needs the other.
      const readTargets = async (): Promise<{ listed: string[]; reports: SetTargetReport[] }> => {
        const [listed, stamps] = await Promise.all([listings[index] as Promise<string[]>, stampTargets]);
        const existing = new Set(listed);
        const reports: SetTargetReport[] = await Promise.all(
          [...new Set([...targets, ...stamps])].map(async (tag) => ({
            tag,
            // A target that is the source tag was just read (GET, digest checked): no second read.
            before: !existing.has(tag) ? null : 'tag' in source && source.tag === tag ? manifest.digest : ((await limit(() => resolveDigestIfExists(client, { ...image, tag }))) ?? null),
            after: null,
            attempted: manifest.digest,
            status: 'not-attempted' as const,
          })),
        );
        return { listed, reports };
      };
      const readOwnRevision = async (): Promise<void> => {
        if (!compareRevisions || index === 0) return;
        // Only a warning depends on it: an unreadable label is not compared.
        revisions[name] = await limit(() => readImageRevision(client, { ...image, digest: manifest.digest }, manifest)).catch(() => undefined);
      };
      const [verification, { listed, reports }] = await Promise.all([verifier ? verifier(image, manifest.digest) : null, readTargets(), readOwnRevision()]);
      if (version !== undefined) await refuseSetDowngrades(client, limit, image, name, listed, reports, version);
      return { image: name, source: formatReference(source), digest: manifest.digest, mediaType: manifest.mediaType, targets: reports, verification };
    }),
  );
  const refused = planned.flatMap((result, index) => (result.status === 'rejected' ? [`${names[index]}: ${errorMessage(result.reason)}`] : []));
  if (refused.length > 0) {
    throw new PolicyError('SET_REFUSED', `promote set: refused before any write (nothing was written): ${refused.join('; ')}`, {
      cause: planned.find((result) => result.status === 'rejected')?.reason,
    });
  }
  const images = planned.map((result) => (result as PromiseFulfilledResult<SetImageReport<V>>).value);
  if (compareRevisions && commit.decided?.from === REVISION_KEY) {
    const mismatch = setCommitMismatch({ sha: commit.decided.sha, image: names[0] as string }, revisions);
    if (mismatch) {
      warnings.push(mismatch);
      progress(mismatch);
    }
  }
  const all = images.flatMap((image, index) => image.targets.map((target) => ({ image, repository: request.images[index] as RepositoryReference, target })));
  for (const { target } of all) target.status = target.before === target.attempted ? 'unchanged' : request.dryRun ? 'planned' : 'not-attempted';
  const report: PromoteSetReport<V> = {
    ...(pick ? { pick } : {}),
    ...(sourceTag !== undefined ? { sourceTag } : {}),
    images,
    dryRun: request.dryRun,
    changed: all.some(({ target }) => target.status !== 'unchanged'),
    rolledBack: false,
    ...(release ? { release } : {}),
    ...(commit.decided ? { commit: commit.decided } : {}),
    warnings,
  };
  if (request.dryRun) return report;
  if (!report.changed) progress('every target already points at its digest: nothing to write');

  const writes = await Promise.allSettled(
    all
      .filter(({ target }) => target.status !== 'unchanged')
      .map(({ image, repository, target }) =>
        limit(async () => {
          target.status = 'failed';
          const manifest = manifests.get(image.image) as RawManifest;
          await client.putManifest(repository, target.tag, { bytes: manifest.bytes, mediaType: manifest.mediaType });
          target.status = 'written';
          progress(`${image.image}: wrote ${target.tag} -> ${manifest.digest}`);
        }),
      ),
  );
  const failures = writes.flatMap((result) => (result.status === 'rejected' ? [errorMessage(result.reason)] : []));
  await reread(all, limit, client);
  for (const { image, target } of all) {
    if (target.after !== target.attempted) failures.push(`${image.image}:${target.tag} resolves to ${target.after ?? '(nothing readable)'}`);
  }
  if (failures.length > 0) {
    await rollBack(all, limit, client, progress);
    report.rolledBack = true;
    throw new PartialMutationError(
      `promote set: ${[...new Set(failures)].join('; ')}; every moved target was put back (see the report)`,
      report,
      { cause: writes.find((result): result is PromiseRejectedResult => result.status === 'rejected')?.reason },
    );
  }

  if (release) {
    report.released = await afterTagsMoved(
      () => release.publish(images.map((image) => ({ destination: image.image, digest: image.digest })), images[0]?.verification ?? null),
      {
        message: (cause) => `create the release ${release.tag}: ${cause} (the promotion itself succeeded; re-run to retry the release)`,
        report: { promoted: report, release: { tag: release.tag, created: false } },
      },
    );
  }
  return report;
}

/** The release a picked build is of: `X.Y.Z` of a prerelease build (`2.1.0-staging.3` → `2.1.0`), a version as it is; undefined for any other tag. */
function releaseVersionOf(tag: string | undefined): string | undefined {
  const version = tag === undefined ? undefined : versionOfTag(tag);
  if (!version || tag === undefined) return undefined;
  return tag.replace(/^(v?\d+\.\d+\.\d+)[-+].*$/, '$1');
}

/**
 * The downgrade guard of one image of a set ({@link findDowngrades}): a floating target that moves
 * (not one already at the digest, so a re-run stays a no-op) must not go below the version it holds.
 * Reads only the version tags higher than `version` (one HEAD each), from the listing the plan made.
 */
async function refuseSetDowngrades(
  client: RegistryClient,
  limit: ReturnType<typeof pLimit>,
  image: RepositoryReference,
  name: string,
  listed: readonly string[],
  reports: readonly SetTargetReport[],
  version: string,
): Promise<void> {
  const source = versionOfTag(version);
  const moving = reports.filter((target) => isFloatingVersionTag(target.tag) && target.before !== null && target.before !== target.attempted);
  if (!source || moving.length === 0) return;
  const higher = listed.filter((tag) => {
    const held = versionOfTag(tag);
    return held !== undefined && !isFloatingVersionTag(tag) && compareVersions(held, source) > 0;
  });
  if (higher.length === 0) return;
  const digests = await Promise.all(higher.map((tag) => limit(() => resolveDigestIfExists(client, { ...image, tag }))));
  const downgrades = findDowngrades({
    sourceVersion: version,
    targets: moving.map((target) => ({ tag: target.tag, heldVersionTags: higher.filter((_, index) => digests[index] === target.before) })),
  });
  if (downgrades.length > 0) throw new PolicyError('DOWNGRADE', downgradeMessage(`promote ${name}`, downgrades));
}

interface Entry {
  image: SetImageReport<unknown>;
  repository: RepositoryReference;
  target: SetTargetReport;
}

async function reread(all: readonly Entry[], limit: ReturnType<typeof pLimit>, client: RegistryClient): Promise<void> {
  await Promise.all(
    all.map(({ repository, target }) =>
      limit(async () => {
        try {
          target.after = (await resolveDigestIfExists(client, { ...repository, tag: target.tag })) ?? null;
        } catch {
          target.after = null;
          if (target.status === 'written' || target.status === 'failed') target.status = 'unknown';
        }
      }),
    ),
  );
}

/** Puts every moved target back at its previous digest ({@link planSetRollback}), then re-reads. */
async function rollBack(all: readonly Entry[], limit: ReturnType<typeof pLimit>, client: RegistryClient, progress: (message: string) => void): Promise<void> {
  const steps: SetRollbackStep[] = planSetRollback(all.map(({ image, target }) => ({ image: image.image, tag: target.tag, before: target.before, after: target.after, attempted: target.attempted })));
  await Promise.all(
    all.map((entry, index) =>
      limit(async () => {
        const step = steps[index] as SetRollbackStep;
        const { target, repository, image } = entry;
        if (step.action === 'keep') {
          target.rollback = 'kept';
          return;
        }
        if (step.action === 'cannot-delete') {
          target.rollback = 'cannot-delete';
          return;
        }
        try {
          const previous = await client.getManifest({ ...repository, digest: target.before as string });
          await client.putManifest(repository, target.tag, { bytes: previous.bytes, mediaType: previous.mediaType });
          target.rollback = 'restored';
          progress(`${image.image}: put ${target.tag} back at ${target.before}`);
        } catch (error: unknown) {
          target.rollback = 'restore-failed';
          progress(`${image.image}: could not put ${target.tag} back at ${target.before}: ${errorMessage(error)}`);
        }
      }),
    ),
  );
  await reread(all, limit, client);
  for (const { target } of all) if (target.rollback === 'restored' && target.after !== target.before) target.rollback = 'restore-failed';
}
