import { PartialMutationError, PolicyError, RegistryError, errorMessage } from '../errors.js';
import { auditTagRefusal, nextHistoryReads, planRollback, rollbackRerunRefusal, selectRollbackHistory, trackMovedRefusal } from '../policy/rollback.js';
import type { AuditTag, RollbackHistoryEntry, RollbackHistoryRow, RollbackRefusal, StampedHistoryTag } from '../policy/rollback.js';
import { startPromote } from '../promote/promote.js';
import { readImageRevision } from '../promote/revision.js';
import type { PromoteReport } from '../promote/promote.js';
import type { RegistryClient } from '../registry/client.js';
import { formatReference } from '../registry/reference.js';
import type { ImageReference, RepositoryReference } from '../registry/reference.js';
import type { RawManifest } from '../registry/types.js';
import { resolveDigestIfExists } from '../registry/resolve.js';
import { afterTagsMoved } from '../release/after-move.js';
import type { VerificationSummary } from '../release/after-move.js';
import type { PreparedRollbackRelease, RollbackReleaseContext, RollbackReleaseResult } from './release.js';

/** What a rollback is asked to do. */
export interface RollbackRequest {
  /** The repository whose track moves. */
  image: RepositoryReference;
  /** The track tag, e.g. `prod`. */
  track: string;
  /** Further tags moved with the track (e.g. `latest`). */
  also: readonly string[];
  /** Which tags are history: the glob as given, its matcher, and the stamp templates a history tag may follow. */
  history: { pattern: string; matches(tag: string): boolean; stampTemplates: readonly string[] };
  /** The target given by the user; absent to pick the next older build. */
  to?: { kind: 'tag'; tag: string } | { kind: 'digest'; digest: string };
  /** The audit tag template. */
  auditTemplate: string;
  /** The workflow run attempt (absent outside a workflow run): a re-run without `to` is refused. */
  runAttempt?: number;
  /** Plan, verify and print; write nothing. */
  dryRun: boolean;
  /** The time of the rollback. */
  now: Date;
}

/** What a rollback needs from the outside world. */
export interface RollbackPorts<V extends VerificationSummary> {
  /** The registry client. */
  client: RegistryClient;
  /**
   * Checks the verification inputs (compiles the policy, loads the trust material) before any
   * registry request. Optional.
   */
  prepareVerify?(): Promise<void>;
  /** Verifies the target digest's signatures; throws to refuse the rollback. Absent: no verification configured. */
  verify?(digest: string): Promise<V>;
  /** Prepares the release side before anything moves (reads only); absent or undefined: no release. */
  release?(context: RollbackReleaseContext): Promise<PreparedRollbackRelease | undefined>;
  /** Progress lines. */
  onProgress?(message: string): void;
}

/** What a rollback did (or would do, in a dry run). */
export interface RollbackReport<V extends VerificationSummary> {
  /** The repository, canonical form. */
  repository: string;
  /** The track tag. */
  track: string;
  /** The digest replaced. */
  fromDigest: string;
  /** The digest the track now points at. */
  toDigest: string;
  /** The tag the target was found under; empty when `to` was a digest no history tag names. */
  toTag: string;
  /** The audit tag on the replaced build. */
  audit: AuditTag;
  /** Why this target. */
  reason: string;
  /** Every history tag with its verdict. */
  history: RollbackHistoryRow[];
  /** The audit tag write. */
  auditReport: PromoteReport;
  /** The track and `also` move. */
  moveReport: PromoteReport;
  /** The verification of the target; null when none was configured. */
  verification: V | null;
  /** True for a dry run. */
  dryRun: boolean;
  /** The release step as planned; absent when no release was requested. */
  release?: PreparedRollbackRelease;
  /** What the release step did; absent in a dry run or without a release. */
  released?: RollbackReleaseResult;
  /** Things the user should know. */
  warnings: string[];
}

/**
 * Moves a track tag (and `also`) back to an earlier build: refuses a re-run without `to`, reads the
 * stamped history, plans with {@link planRollback} (the target, or `to`), refuses an audit tag that
 * names another build, verifies the target before anything moves, prepares the release, writes the
 * audit tag on the digest being replaced, moves the tags with the same manifest bytes (re-reading
 * every one), then finishes the release.
 *
 * @param request - see {@link RollbackRequest}.
 * @param ports - see {@link RollbackPorts}.
 * @returns the report.
 * The track is read by GET (sha256 of the bytes checked), read again right before the first write
 * (compare-and-swap: refused with `TRACK_MOVED`, nothing written, when it changed), and read again
 * after the move; another digest there fails the run with the report.
 *
 * Round trips (each a set of requests sent at once): the track, the tag list and `to`; the history,
 * newest first, only as far back as the decision needs ({@link nextHistoryReads}: one batch of 2 when
 * the track is at the newest build); the read before the first write; the audit tag's `PUT`; the
 * move's `PUT`s with the audit tag's re-read; the re-read of the moved tags. The manifests written are
 * the bytes already read (the track's for the audit tag, the target's for the move), never read again.
 * A rollback of a track at the newest of 50 history tags: 9 requests, 6 round trips.
 *
 * @throws {@link PolicyError} `RERUN_NEEDS_TO`, `TRACK_NOT_FOUND`, `TARGET_NOT_FOUND`, `NO_ROLLBACK_TARGET`,
 *   `ALREADY_AT_TARGET`, `AUDIT_TAG_TAKEN`, `TRACK_MOVED` before anything moves.
 * @throws {@link PartialMutationError} when the move or the release fails after the audit tag was written,
 *   or the track was moved by someone else around the write (the report says what each tag holds).
 * @example
 * ```ts
 * const report = await rollback(
 *   { image, track: 'prod', also: [], history: { pattern: 'prod-*', matches, stampTemplates: ['prod-{date}-{sha}'] },
 *     auditTemplate: ROLLBACK_AUDIT_TEMPLATE, dryRun: false, now: new Date() },
 *   { client },
 * );
 * ```
 */
export async function rollback<V extends VerificationSummary>(request: RollbackRequest, ports: RollbackPorts<V>): Promise<RollbackReport<V>> {
  const { client } = ports;
  const { now } = request;
  const info = (message: string): void => ports.onProgress?.(message);
  const repo: RepositoryReference = { registry: request.image.registry, repository: request.image.repository };
  const trackRef: ImageReference = { ...repo, tag: request.track };
  const operation = `roll back ${formatReference(trackRef)}`;
  const warnings: string[] = [];
  refuse(rollbackRerunRefusal({ ...(request.runAttempt !== undefined ? { runAttempt: request.runAttempt } : {}), hasTo: request.to !== undefined, track: request.track, operation }));
  if (ports.verify && ports.prepareVerify) await ports.prepareVerify();
  // One bearer token for the whole rollback where the registry allows.
  client.expectAccess?.([{ repository: repo, actions: request.dryRun ? ['pull'] : ['pull', 'push'] }]);

  // Decided from the manifest bytes (sha256-checked), not from a HEAD answer that may be stale.
  const readTrack = async (): Promise<string | undefined> => (await manifestIfExists(client, trackRef))?.digest;
  // One round trip: the track, the tag list and `to` do not depend on each other.
  const toRef: ImageReference | undefined = request.to
    ? request.to.kind === 'tag'
      ? { ...repo, tag: request.to.tag }
      : { ...repo, digest: request.to.digest }
    : undefined;
  const [trackRead, listing, toRead] = await Promise.allSettled([
    manifestIfExists(client, trackRef),
    client.listTags(repo),
    toRef ? manifestIfExists(client, toRef) : Promise.resolve(undefined),
  ]);
  const current = settled(trackRead);
  if (current === undefined) {
    throw new PolicyError('TRACK_NOT_FOUND', `${operation}: the tag does not exist, so there is nothing to roll back; nothing was moved`);
  }
  const fromDigest = current.digest;
  info(`${request.track} points at ${fromDigest}`);
  const tags = new Set(settled(listing));

  let to: { kind: 'tag'; tag: string; digest: string } | { kind: 'digest'; digest: string } | undefined;
  let toManifest: RawManifest | undefined;
  if (request.to && toRef) {
    toManifest = settled(toRead);
    if (toManifest === undefined) {
      throw new PolicyError('TARGET_NOT_FOUND', `${operation}: to ${formatReference(toRef)} does not exist; nothing was moved`);
    }
    to = request.to.kind === 'tag' ? { kind: 'tag', tag: request.to.tag, digest: toManifest.digest } : { kind: 'digest', digest: toManifest.digest };
  }

  const history = await readHistory(client, repo, request, [...tags], fromDigest, to);
  info(
    `history ${request.history.pattern}: ${history.stamped.length + history.unread.length} stamped tags (${history.stamped.length} read, newest first), ${history.skipped.length} others`,
  );
  // No stamp names the replaced build: the audit tag's {sha} is its revision label (read only then,
  // from the manifest bytes already read).
  const replacedRevision = history.stamped.some((entry) => entry.digest === fromDigest && entry.sha !== undefined)
    ? undefined
    : await readImageRevision(client, { ...repo, digest: fromDigest }, current).catch((error: unknown) => {
        // Only the audit tag's name depends on it: the rollback goes on, and says so.
        warnings.push(`could not read the org.opencontainers.image.revision of the replaced build ${fromDigest} (${errorMessage(error)}): the audit tag's {sha} falls back to its digest`);
        return undefined;
      });
  const planned = planRollback({
    operation,
    track: request.track,
    trackDigest: fromDigest,
    history: history.stamped,
    skipped: history.skipped,
    unread: history.unread,
    historyPattern: request.history.pattern,
    stampTemplates: request.history.stampTemplates,
    ...(to ? { to } : {}),
    now,
    auditTemplate: request.auditTemplate,
    ...(replacedRevision !== undefined ? { replacedRevision } : {}),
  });
  if ('refusal' in planned) {
    for (const row of planned.refusal.considered ?? []) info(`  ${row.tag}: ${row.verdict}`);
    throw new PolicyError(planned.refusal.code, planned.refusal.message);
  }
  const { toDigest, toTag, audit, reason } = planned;
  warnings.push(...planned.warnings);
  info(reason);
  // The target's bytes were read with the history (or as `to`): the move does not read them again.
  const target = toManifest ?? history.manifests.get(toDigest) ?? (await client.getManifest({ ...repo, digest: toDigest }));
  let auditBefore: string | null = null;
  if (tags.has(audit.tag)) {
    const existing = await resolveDigestIfExists(client, { ...repo, tag: audit.tag });
    refuse(auditTagRefusal({ operation, auditTag: audit.tag, existing, replacedDigest: fromDigest }));
    auditBefore = existing ?? null;
  }

  let verification: V | null = null;
  if (ports.verify) {
    verification = await ports.verify(toDigest);
    info(`verified ${toDigest}`);
  } else {
    warnings.push(
      `rolling back ${formatReference(trackRef)} to ${toDigest} without signature verification: give certificate-identity and certificate-oidc-issuer, or key`,
    );
  }

  // The release side is decided (and its notes written) before anything moves; a dry run shows it.
  const release = await ports.release?.({ client, repository: repo, tags: [...tags], track: request.track, fromDigest, toDigest, toTag, auditTag: audit.tag, now });
  if (release) warnings.push(...release.warnings);

  // Compare-and-swap as far as the protocol allows: the track is read again right before the first
  // write and the rollback is refused, nothing written, when someone else moved it meanwhile. The
  // previous digests of the `also` tags are read at the same time.
  const also = request.also.filter((tag) => tag !== request.track);
  const [before, alsoBefore] = await Promise.all([
    request.dryRun ? Promise.resolve(fromDigest) : readTrack(),
    Promise.all(also.map(async (tag) => (tags.has(tag) ? ((await resolveDigestIfExists(client, { ...repo, tag })) ?? null) : null))),
  ]);
  if (!request.dryRun) refuse(trackMovedRefusal({ operation, track: request.track, decidedFrom: fromDigest, current: before }));

  // The trace first: the audit tag pins the replaced build (its bytes read above) before the track
  // leaves it. The track is not read during this PUT: a registry storing the same manifest again
  // (CNCF distribution on a filesystem) may answer a read of that digest with a 500 meanwhile. The
  // read above is one round trip before the move, no further than the PUT.
  const auditWrites = await startPromote({
    client,
    source: { ...repo, digest: fromDigest },
    manifest: current,
    targets: [audit.tag],
    before: { [audit.tag]: auditBefore },
    dryRun: request.dryRun,
    onProgress: info,
  });
  const auditReport = auditWrites.report;
  const failAfterAudit = (message: string, move: PromoteReport | 'not written', cause?: unknown): PartialMutationError =>
    new PartialMutationError(
      `${operation} to ${toDigest}: the audit tag ${audit.tag} was ${request.dryRun ? 'planned' : 'written'}, then ${message}`,
      { audit: auditReport, move },
      cause === undefined ? undefined : { cause },
    );

  // The move, with the target's bytes; the audit tag is re-read meanwhile.
  const [moveWrite, auditChecked] = await Promise.allSettled([
    startPromote({
      client,
      source: { ...repo, digest: toDigest },
      manifest: target,
      targets: [request.track, ...also],
      before: { [request.track]: fromDigest, ...Object.fromEntries(also.map((tag, index) => [tag, alsoBefore[index] ?? null])) },
      dryRun: request.dryRun,
      onProgress: info,
      // The track was read from its manifest bytes: a (possibly stale) HEAD never skips its write.
      skipUnchanged: false,
      // After the write: a digest-verified re-read; someone else's digest there fails the run.
      readBack: 'manifest',
    }),
    auditWrites.recheck(),
  ]);
  if (moveWrite.status === 'rejected') {
    const error: unknown = moveWrite.reason;
    throw failAfterAudit(`moving the tags failed: ${errorMessage(error)}`, error instanceof PartialMutationError ? (error.report as PromoteReport) : 'not written', error);
  }
  let moveReport: PromoteReport;
  try {
    moveReport = await moveWrite.value.recheck();
  } catch (error: unknown) {
    const report = moveWrite.value.report;
    const track = report.targets.find((entry) => entry.tag === request.track);
    if (track && track.after !== toDigest) {
      throw failAfterAudit(`${request.track} was re-read as ${track.after ?? 'deleted'} after the write, not ${toDigest}: someone else moved it`, report, error);
    }
    throw failAfterAudit(`re-reading the moved tags failed: ${errorMessage(error)}`, report, error);
  }
  if (auditChecked.status === 'rejected') {
    throw failAfterAudit(`the tags moved, but re-reading the audit tag failed: ${errorMessage(auditChecked.reason)}`, moveReport, auditChecked.reason);
  }

  // The tags have moved: a release failure says so, so that the releases can be finished by hand.
  const released =
    release && !request.dryRun
      ? await afterTagsMoved(() => release.apply(moveReport, verification), {
          message: (cause) => `${operation} to ${toDigest}: the tags moved (audit tag ${audit.tag}), then updating the GitHub releases failed: ${cause}`,
          report: { audit: auditReport, move: moveReport, release: 'not finished' },
        })
      : undefined;
  return {
    repository: formatReference(repo),
    track: request.track,
    fromDigest,
    toDigest,
    toTag,
    audit,
    reason,
    history: planned.history,
    auditReport,
    moveReport,
    verification,
    dryRun: request.dryRun,
    ...(release ? { release } : {}),
    ...(released ? { released } : {}),
    warnings,
  };
}

/** The manifest a reference names (one GET, sha256 of the bytes checked), or undefined on 404. */
async function manifestIfExists(client: RegistryClient, ref: ImageReference): Promise<RawManifest | undefined> {
  try {
    return await client.getManifest(ref);
  } catch (error: unknown) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}

/** The value of a settled promise, or its error thrown. */
function settled<T>(result: PromiseSettledResult<T>): T {
  if (result.status === 'rejected') throw result.reason;
  return result.value;
}

function refuse(refusal: RollbackRefusal | undefined): void {
  if (refusal) throw new PolicyError(refusal.code, refusal.message);
}

/**
 * Reads the stamped history tags newest first, in batches only as far back as the decision needs
 * ({@link nextHistoryReads}); each read is a GET (sha256 of the bytes checked), so the target's bytes
 * are at hand for the move.
 */
async function readHistory(
  client: RegistryClient,
  repo: RepositoryReference,
  request: RollbackRequest,
  tags: readonly string[],
  currentDigest: string,
  to: { kind: 'tag' | 'digest'; digest: string } | undefined,
): Promise<{
  stamped: Array<RollbackHistoryEntry & { stampTime: Date }>;
  unread: StampedHistoryTag[];
  skipped: RollbackHistoryRow[];
  manifests: Map<string, RawManifest>;
}> {
  const selection = selectRollbackHistory({
    tags,
    isHistoryTag: (tag) => request.history.matches(tag),
    moved: [request.track, ...request.also],
    auditTemplate: request.auditTemplate,
    stampTemplates: request.history.stampTemplates,
  });
  const skipped: RollbackHistoryRow[] = selection.skipped.map(({ tag, reason }) => ({ tag, verdict: reason }));
  const read = new Map<string, string | null>();
  const manifests = new Map<string, RawManifest>();
  for (let batch = 0; ; batch++) {
    const next = nextHistoryReads({ stamped: selection.stamped, read, currentDigest, ...(to ? { to } : {}), batch });
    if (next.length === 0) break;
    // One batch at once: the registry client bounds the requests in flight per host.
    const got = await Promise.all(next.map((tag) => manifestIfExists(client, { ...repo, tag })));
    for (const [index, tag] of next.entries()) {
      const manifest = got[index];
      read.set(tag, manifest?.digest ?? null);
      if (manifest && !manifests.has(manifest.digest)) manifests.set(manifest.digest, manifest);
    }
  }
  const stamped: Array<RollbackHistoryEntry & { stampTime: Date }> = [];
  const unread: StampedHistoryTag[] = [];
  for (const entry of selection.stamped) {
    const digest = read.get(entry.tag);
    if (digest === undefined) unread.push(entry);
    else if (digest === null) skipped.push({ tag: entry.tag, stampTime: entry.stampTime, verdict: 'skipped: the tag vanished while the history was read' });
    else stamped.push({ ...entry, digest });
  }
  return { stamped, unread, skipped, manifests };
}
