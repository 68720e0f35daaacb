import { PartialMutationError, PolicyError, RegistryError, errorMessage } from '../errors.js';
import { auditTagRefusal, planRollback, rollbackRerunRefusal, selectRollbackHistory, trackMovedRefusal } from '../policy/rollback.js';
import type { AuditTag, RollbackHistoryEntry, RollbackHistoryRow, RollbackRefusal } from '../policy/rollback.js';
import { promote } from '../promote/promote.js';
import { readImageRevision } from '../promote/revision.js';
import type { PromoteReport } from '../promote/promote.js';
import type { RegistryClient } from '../registry/client.js';
import { formatReference } from '../registry/reference.js';
import type { ImageReference, RepositoryReference } from '../registry/reference.js';
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

  // Decided from the manifest bytes (sha256-checked), not from a HEAD answer that may be stale.
  const readTrack = (): Promise<string | undefined> => manifestDigestIfExists(client, trackRef);
  const fromDigest = await readTrack();
  if (fromDigest === undefined) {
    throw new PolicyError('TRACK_NOT_FOUND', `${operation}: the tag does not exist, so there is nothing to roll back; nothing was moved`);
  }
  info(`${request.track} points at ${fromDigest}`);

  const { stamped, skipped, tags } = await readHistory(client, repo, request);
  info(`history ${request.history.pattern}: ${stamped.length} stamped tags, ${skipped.length} others`);

  // No stamp names the replaced build: the audit tag's {sha} is its revision label (read only then, beside `to`).
  const revision = stamped.some((entry) => entry.digest === fromDigest && entry.sha !== undefined) ? undefined : readImageRevision(client, { ...repo, digest: fromDigest }).catch(() => undefined);
  let to: { kind: 'tag'; tag: string; digest: string } | { kind: 'digest'; digest: string } | undefined;
  if (request.to) {
    const toRef: ImageReference = request.to.kind === 'tag' ? { ...repo, tag: request.to.tag } : { ...repo, digest: request.to.digest };
    const resolved = await resolveDigestIfExists(client, toRef);
    if (resolved === undefined) {
      throw new PolicyError('TARGET_NOT_FOUND', `${operation}: to ${formatReference(toRef)} does not exist; nothing was moved`);
    }
    to = request.to.kind === 'tag' ? { kind: 'tag', tag: request.to.tag, digest: resolved } : { kind: 'digest', digest: resolved };
  }
  const planned = planRollback({
    operation,
    track: request.track,
    trackDigest: fromDigest,
    history: stamped,
    skipped,
    historyPattern: request.history.pattern,
    stampTemplates: request.history.stampTemplates,
    ...(to ? { to } : {}),
    now,
    auditTemplate: request.auditTemplate,
    ...((await revision) !== undefined ? { replacedRevision: (await revision) as string } : {}),
  });
  if ('refusal' in planned) {
    for (const row of planned.refusal.considered ?? []) info(`  ${row.tag}: ${row.verdict}`);
    throw new PolicyError(planned.refusal.code, planned.refusal.message);
  }
  const { toDigest, toTag, audit, reason } = planned;
  warnings.push(...planned.warnings);
  info(reason);
  if (tags.has(audit.tag)) {
    const existing = await resolveDigestIfExists(client, { ...repo, tag: audit.tag });
    refuse(auditTagRefusal({ operation, auditTag: audit.tag, existing, replacedDigest: fromDigest }));
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
  // write and the rollback is refused, nothing written, when someone else moved it meanwhile.
  if (!request.dryRun) {
    refuse(trackMovedRefusal({ operation, track: request.track, decidedFrom: fromDigest, current: await readTrack() }));
  }
  // The trace first: the audit tag pins the replaced build before the track leaves it.
  const auditReport = await promote({ client, source: { ...repo, digest: fromDigest }, targets: [audit.tag], dryRun: request.dryRun, onProgress: info });
  const failAfterAudit = (message: string, move: PromoteReport | 'not written', cause?: unknown): PartialMutationError =>
    new PartialMutationError(
      `${operation} to ${toDigest}: the audit tag ${audit.tag} was ${request.dryRun ? 'planned' : 'written'}, then ${message}`,
      { audit: auditReport, move },
      cause === undefined ? undefined : { cause },
    );
  if (!request.dryRun) {
    const moved = trackMovedRefusal({ operation, track: request.track, decidedFrom: fromDigest, current: await readTrack() });
    if (moved) throw failAfterAudit(`${request.track} moved before the track was written, so nothing else was written: ${moved.message}`, 'not written');
  }
  let moveReport: PromoteReport;
  try {
    moveReport = await promote({
      client,
      source: { ...repo, digest: toDigest },
      targets: [request.track, ...request.also],
      dryRun: request.dryRun,
      onProgress: info,
      // The track was read from its manifest bytes: a (possibly stale) HEAD never skips its write.
      skipUnchanged: false,
    });
  } catch (error: unknown) {
    throw failAfterAudit(`moving the tags failed: ${errorMessage(error)}`, error instanceof PartialMutationError ? (error.report as PromoteReport) : 'not written', error);
  }
  if (!request.dryRun) {
    // promote's own HEAD of the track just before its PUT; a HEAD may be stale, so this only warns:
    // the digest-verified reads before and after the write decide.
    const trackBefore = moveReport.targets.find((target) => target.tag === request.track)?.before;
    if (trackBefore !== undefined && trackBefore !== fromDigest) {
      warnings.push(`a HEAD of ${request.track} just before the write answered ${String(trackBefore)}, while the manifest read right before said ${fromDigest}`);
    }
    // After the write: a digest-verified re-read; someone else's digest there fails the run.
    const after = await readTrack();
    if (after !== toDigest) {
      const track = moveReport.targets.find((target) => target.tag === request.track);
      if (track) track.after = after ?? null;
      throw failAfterAudit(`${request.track} was re-read as ${after ?? 'deleted'} after the write, not ${toDigest}: someone else moved it`, moveReport);
    }
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

/** The sha256-checked digest of the manifest a reference names (one GET), or undefined on 404. */
async function manifestDigestIfExists(client: RegistryClient, ref: ImageReference): Promise<string | undefined> {
  try {
    return (await client.getManifest(ref)).digest;
  } catch (error: unknown) {
    if (error instanceof RegistryError && error.status === 404) return undefined;
    throw error;
  }
}

function refuse(refusal: RollbackRefusal | undefined): void {
  if (refusal) throw new PolicyError(refusal.code, refusal.message);
}

/** Lists the history tags and reads their stamps; resolves the digests of the stamped ones. */
async function readHistory(
  client: RegistryClient,
  repo: RepositoryReference,
  request: RollbackRequest,
): Promise<{ stamped: Array<RollbackHistoryEntry & { stampTime: Date }>; skipped: RollbackHistoryRow[]; tags: Set<string> }> {
  const tags = await client.listTags(repo);
  const selection = selectRollbackHistory({
    tags,
    isHistoryTag: (tag) => request.history.matches(tag),
    moved: [request.track, ...request.also],
    auditTemplate: request.auditTemplate,
    stampTemplates: request.history.stampTemplates,
  });
  const skipped: RollbackHistoryRow[] = selection.skipped.map(({ tag, reason }) => ({ tag, verdict: reason }));
  const stamped: Array<RollbackHistoryEntry & { stampTime: Date }> = [];
  // All at once: the registry client bounds the requests in flight per host.
  const digests = await Promise.all(selection.stamped.map((entry) => resolveDigestIfExists(client, { ...repo, tag: entry.tag })));
  for (const [index, entry] of selection.stamped.entries()) {
    const digest = digests[index];
    if (digest === undefined) skipped.push({ tag: entry.tag, stampTime: entry.stampTime, verdict: 'skipped: the tag vanished while the history was read' });
    else stamped.push({ ...entry, digest });
  }
  return { stamped, skipped, tags: new Set(tags) };
}
