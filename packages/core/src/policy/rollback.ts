/**
 * The rollback picker: which earlier build a track tag (e.g. `prod`) goes back to, and the audit
 * tag that records the rollback. Pure: the caller lists the history tags, resolves their digests
 * and reads their stamps ({@link parseStamp}) first; this module only decides.
 *
 * @packageDocumentation
 */
import { InvalidReferenceError } from '../errors.js';
import { parseStamp, renderStamp } from './stamp.js';
import { isAbbreviatedCommitSha } from '../grammar/commit-sha.js';

/** One stamped tag of a track's history, as the caller read it from the registry. */
export interface RollbackHistoryEntry {
  /** The image tag, e.g. `prod-20261122-101500-abc1234`. */
  readonly tag: string;
  /** The manifest digest it points at, e.g. `sha256:…`. */
  readonly digest: string;
  /** The build time read from the tag's stamp ({@link parseStamp}); absent when it has none. */
  readonly stampTime?: Date;
  /** The 7-hex commit SHA read from the stamp, when the stamp has `{sha}`. */
  readonly sha?: string;
}

/** The input of {@link pickRollbackTarget}. */
export interface RollbackPickInput {
  /** The history tags in any order (the registry's tag list is unsorted). */
  readonly history: readonly RollbackHistoryEntry[];
  /** The digest the track tag points at now. */
  readonly currentDigest: string;
}

/** The build a rollback goes back to. */
export interface RollbackTarget {
  readonly tag: string;
  readonly digest: string;
  readonly stampTime: Date;
  readonly sha?: string;
}

/** One history tag and what the picker made of it. */
export interface RollbackCandidate {
  readonly tag: string;
  readonly digest: string;
  /** Absent when the tag has no parseable stamp. */
  readonly stampTime?: Date;
  /** `picked: …`, `skipped: …` or `not picked: …`, with the reason. */
  readonly verdict: string;
}

/** The result of {@link pickRollbackTarget}. */
export interface RollbackPick {
  /** The target; absent when there is none (the caller throws a `PolicyError` with `reason`). */
  readonly target?: RollbackTarget;
  /** Every history tag, newest stamp first, then the tags without a stamp; each with a verdict. */
  readonly considered: RollbackCandidate[];
  /** One sentence: what was picked and why, or why nothing was. */
  readonly reason: string;
  /** Things the user should know (e.g. two tags with the same stamp time). */
  readonly warnings: string[];
}

/**
 * The digest grammar of the
 * {@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests | OCI image spec, Digests}.
 */
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function checkDigest(digest: string): void {
  if (!DIGEST_GRAMMAR.test(digest)) {
    throw new InvalidReferenceError('INVALID_DIGEST', digest, 'not <algorithm>:<encoded> as the OCI image spec defines a digest');
  }
}

function iso(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

function hasTime(entry: RollbackHistoryEntry): entry is RollbackHistoryEntry & { stampTime: Date } {
  return entry.stampTime instanceof Date && !Number.isNaN(entry.stampTime.getTime());
}

/**
 * Picks the build a track goes back to.
 *
 * History tags are ordered by the time in their stamp, newest first, never by the registry's
 * order; tags without a parseable stamp are listed as skipped. The newest entry carrying the
 * current digest marks where the track is; the target is the newest build stamped no later than
 * that whose digest differs from the current one (rebuilds with the same digest are skipped).
 * Builds stamped after the current one are skipped: the track was already rolled back past them,
 * so a second rollback goes further back instead of forward again. When the current digest is
 * not in the history at all, the newest build with another digest is picked. Equal stamp times
 * keep the order of `history` (and a warning says so).
 *
 * @param input - the stamped history and the track's current digest.
 * @returns the target (if any), every tag with its verdict, and the reason.
 * @throws {@link InvalidReferenceError} (`INVALID_DIGEST`) when `currentDigest` is not a digest.
 * @example
 * ```ts
 * const pick = pickRollbackTarget({ history, currentDigest: 'sha256:…' });
 * if (!pick.target) throw new PolicyError('NO_ROLLBACK_TARGET', `roll back prod: ${pick.reason}`);
 * ```
 */
export function pickRollbackTarget(input: RollbackPickInput): RollbackPick {
  const { currentDigest } = input;
  checkDigest(currentDigest);
  const warnings: string[] = [];

  const dated = input.history.filter(hasTime);
  const undated = input.history.filter((e) => !hasTime(e));
  // Array.prototype.sort is stable: equal times keep the order of `history`.
  const ordered = [...dated].sort((a, b) => b.stampTime.getTime() - a.stampTime.getTime());
  for (let i = 1; i < ordered.length; i++) {
    const prev = ordered[i - 1];
    const cur = ordered[i];
    if (prev && cur && prev.stampTime.getTime() === cur.stampTime.getTime()) {
      warnings.push(
        `${prev.tag} and ${cur.tag} have the same stamp time ${iso(cur.stampTime)}: their order follows the history as given`,
      );
    }
  }

  const anchorIndex = ordered.findIndex((e) => e.digest === currentDigest);
  const anchor = anchorIndex >= 0 ? ordered[anchorIndex] : undefined;
  let target: RollbackTarget | undefined;
  const considered: RollbackCandidate[] = [];

  for (const [index, entry] of ordered.entries()) {
    const base = { tag: entry.tag, digest: entry.digest, stampTime: entry.stampTime };
    let verdict: string;
    if (anchor && index < anchorIndex) {
      verdict = `skipped: stamped after the current build ${anchor.tag}; the track was already rolled back past it`;
    } else if (entry.digest === currentDigest) {
      verdict = 'skipped: same digest as the current track';
    } else if (target === undefined) {
      target = {
        tag: entry.tag,
        digest: entry.digest,
        stampTime: entry.stampTime,
        ...(entry.sha !== undefined ? { sha: entry.sha } : {}),
      };
      verdict = 'picked: newest stamped build with a different digest';
    } else {
      verdict = `not picked: older than ${target.tag}`;
    }
    considered.push({ ...base, verdict });
  }
  for (const entry of undated) {
    considered.push({ tag: entry.tag, digest: entry.digest, verdict: 'skipped: no parseable stamp, so no build time to order by' });
  }

  let reason: string;
  if (target) {
    reason =
      `roll back to ${target.tag} (${target.digest}, stamped ${iso(target.stampTime)}): ` +
      `the newest stamped build whose digest differs from the current track (${currentDigest})`;
    if (!anchor) reason += '; the current digest is in none of the stamped history tags';
  } else if (input.history.length === 0) {
    reason = 'no rollback target: the history has no tags';
  } else if (dated.length === 0) {
    reason = `no rollback target: none of the ${input.history.length} history tags has a parseable stamp`;
  } else {
    reason = `no rollback target: every stamped build up to the current one has the current digest ${currentDigest}`;
  }
  return { ...(target ? { target } : {}), considered, reason, warnings };
}

/** The default template of the tag that records a rollback. */
export const ROLLBACK_AUDIT_TEMPLATE = 'prod-rollback-{datetime}-from-{sha}';

/** The input of {@link auditTagFor}. */
export interface AuditTagInput {
  /** The digest the track pointed at before the rollback (the one being replaced). */
  readonly replacedDigest: string;
  /** The stamped history, to find the commit SHA of the replaced digest. */
  readonly history: readonly RollbackHistoryEntry[];
  /**
   * The replaced image's `org.opencontainers.image.revision` (label or annotation), read when no
   * stamp names the replaced digest; used before the digest's own hex digits.
   */
  readonly replacedRevision?: string;
  /** The time of the rollback. */
  readonly now: Date;
  /** The audit tag template; default {@link ROLLBACK_AUDIT_TEMPLATE}. Placeholders as in {@link renderStamp}. */
  readonly template?: string;
}

/** The audit tag of a rollback and where its `{sha}` came from. */
export interface AuditTag {
  /** e.g. `prod-rollback-20261122-101500-from-abc1234`. */
  readonly tag: string;
  /** The 7 hex digits rendered for `{sha}`. */
  readonly sha: string;
  /**
   * `stamp`: the commit SHA in the stamp of a history tag of the replaced digest;
   * `revision`: no stamp names it, the replaced image's `org.opencontainers.image.revision`;
   * `digest`: neither, so the first 7 hex digits of the digest itself.
   */
  readonly source: 'stamp' | 'revision' | 'digest';
  /** The history tag whose stamp gave the SHA, when `source` is `stamp`. */
  readonly fromTag?: string;
}

/**
 * Renders the audit tag of a rollback, `prod-rollback-{datetime}-from-{sha}` by default, where
 * `{sha}` is the 7-hex commit SHA in the stamp of the digest being replaced (the newest such
 * stamp), else the replaced image's revision label (`replacedRevision`, when it is a commit sha), else
 * the digest's first 7 hex digits.
 *
 * @param input - the replaced digest, the history, the time and optionally the template.
 * @returns the tag and which source gave `{sha}`.
 * @throws {@link InvalidReferenceError} (`INVALID_DIGEST`) when `replacedDigest` is not a digest
 *   with at least 7 hex digits; {@link ConfigurationError} when the template is invalid.
 * @example
 * ```ts
 * auditTagFor({ replacedDigest: 'sha256:9f86d08…', history, now: new Date('2026-11-22T10:15:00Z') });
 * // { tag: 'prod-rollback-20261122-101500-from-abc1234', sha: 'abc1234', source: 'stamp', fromTag: 'prod-20261121-abc1234' }
 * ```
 */
export function auditTagFor(input: AuditTagInput): AuditTag {
  const { replacedDigest } = input;
  checkDigest(replacedDigest);
  const template = input.template ?? ROLLBACK_AUDIT_TEMPLATE;

  const named = input.history
    .filter((e) => e.digest === replacedDigest && e.sha !== undefined && isAbbreviatedCommitSha(e.sha.toLowerCase()))
    .sort((a, b) => (hasTime(b) ? b.stampTime.getTime() : -Infinity) - (hasTime(a) ? a.stampTime.getTime() : -Infinity));
  const fromStamp = named[0];
  if (fromStamp?.sha !== undefined) {
    const sha = fromStamp.sha.slice(0, 7).toLowerCase();
    return { tag: renderStamp(template, { now: input.now, sha }), sha, source: 'stamp', fromTag: fromStamp.tag };
  }
  const revision = input.replacedRevision?.trim().toLowerCase();
  if (revision !== undefined && isAbbreviatedCommitSha(revision)) {
    const sha = revision.slice(0, 7);
    return { tag: renderStamp(template, { now: input.now, sha }), sha, source: 'revision' };
  }
  const encoded = replacedDigest.slice(replacedDigest.indexOf(':') + 1);
  if (!/^[0-9a-fA-F]{7,}$/.test(encoded)) {
    throw new InvalidReferenceError('INVALID_DIGEST', replacedDigest, 'the encoded part is not hexadecimal, so no 7-hex SHA can be read from it');
  }
  const sha = encoded.slice(0, 7).toLowerCase();
  return { tag: renderStamp(template, { now: input.now, sha }), sha, source: 'digest' };
}

/** Input of {@link selectRollbackHistory}. */
export interface RollbackHistorySelectionInput {
  /** Every tag of the repository. */
  tags: readonly string[];
  /** True for a tag that records a promotion (the history glob, e.g. `prod-*`). */
  isHistoryTag: (tag: string) => boolean;
  /** Tags that move in the rollback (the track and `also`): never history. */
  moved: readonly string[];
  /** The audit tag template: earlier rollbacks' audit tags are not promotions. */
  auditTemplate: string;
  /** Templates a stamp may follow, tried in order (e.g. `prod-{date}-{sha}` and `prod-{datetime}-{sha}`). */
  stampTemplates: readonly string[];
}

/** A history tag whose stamp gives its time, not yet resolved to a digest. */
export interface StampedHistoryTag {
  tag: string;
  /** UTC time read from the stamp. */
  stampTime: Date;
  /** The 7-hex commit in the stamp, when it has one. */
  sha?: string;
}

/**
 * Which tags are rollback history, and the time each records: tags matching the history glob,
 * except the tags being moved and earlier audit tags; the stamp is read with the first template
 * that fits. Tags without a readable stamp are returned as skipped with the reason, since there is
 * no time to order them by. Pure: the caller lists the tags and resolves the candidates' digests.
 *
 * @returns `stamped` (in listing order) and `skipped` (`{tag, reason}`).
 */
export function selectRollbackHistory(input: RollbackHistorySelectionInput): {
  stamped: StampedHistoryTag[];
  skipped: Array<{ tag: string; reason: string }>;
} {
  const moved = new Set(input.moved);
  const stamped: StampedHistoryTag[] = [];
  const skipped: Array<{ tag: string; reason: string }> = [];
  for (const tag of input.tags) {
    if (!input.isHistoryTag(tag) || moved.has(tag) || parseStamp(tag, input.auditTemplate) !== undefined) continue;
    const stamp = input.stampTemplates.map((template) => parseStamp(tag, template)).find((parsed) => parsed !== undefined);
    if (stamp) stamped.push({ tag, stampTime: stamp.date, ...(stamp.sha !== undefined ? { sha: stamp.sha } : {}) });
    else skipped.push({ tag, reason: `skipped: no stamp of the form ${input.stampTemplates.join(' or ')}, so no time to order by` });
  }
  return { stamped, skipped };
}

/** One history tag as a rollback reports it. */
export interface RollbackHistoryRow {
  /** The history tag. */
  tag: string;
  /** The time read from its stamp; absent when it has none. */
  stampTime?: Date;
  /** Absent when it was not read (no stamp, the tag vanished, or older tags already decided). */
  digest?: string;
  /** What the rollback made of it, e.g. `picked: …`, `skipped: …`. */
  verdict: string;
}

/** Why a rollback refuses to move anything; the caller throws a `PolicyError` with this code and message. */
export interface RollbackRefusal {
  /**
   * `RERUN_NEEDS_TO`: a re-run without `to` could move the track back twice; `NO_ROLLBACK_TARGET`: no earlier
   * build; `ALREADY_AT_TARGET`: the track is at the target; `AUDIT_TAG_TAKEN`: the audit tag names another build;
   * `TRACK_MOVED`: the track left the digest the rollback was decided from before anything was written.
   */
  code: 'RERUN_NEEDS_TO' | 'NO_ROLLBACK_TARGET' | 'ALREADY_AT_TARGET' | 'AUDIT_TAG_TAKEN' | 'TRACK_MOVED';
  /** `<operation>: <why>; nothing was moved`. */
  message: string;
  /** The history considered, for the log, when the refusal is about the history. */
  considered?: RollbackHistoryRow[];
}

/** The input of {@link planRollback}. */
export interface RollbackPlanInput {
  /** The operation for messages, e.g. `roll back registry.example.com/acme/app:prod`. */
  operation: string;
  /** The track tag, e.g. `prod`. */
  track: string;
  /** The digest the track points at now. */
  trackDigest: string;
  /** The stamped history tags, resolved to digests (see {@link selectRollbackHistory}). */
  history: ReadonlyArray<RollbackHistoryEntry & { readonly stampTime: Date }>;
  /** History tags that were skipped (no stamp, vanished), with their verdicts; listed after the others. */
  skipped: readonly RollbackHistoryRow[];
  /**
   * Stamped history tags left unread because the ones read already decide ({@link nextHistoryReads});
   * listed after the read ones, without a digest. Absent or empty: the whole history was read.
   */
  unread?: readonly StampedHistoryTag[];
  /** The history glob and stamp templates, for the reason when nothing is stamped. */
  historyPattern: string;
  /** Templates a stamp may follow. */
  stampTemplates: readonly string[];
  /** The `to` input resolved: the tag or digest as given and the digest it resolves to; absent to pick. */
  to?: { kind: 'tag'; tag: string; digest: string } | { kind: 'digest'; digest: string };
  /** The time of the rollback (the audit tag's `{datetime}`). */
  now: Date;
  /** The audit tag template. */
  auditTemplate: string;
  /** The replaced image's revision label, when no stamp names it ({@link auditTagFor}). */
  replacedRevision?: string;
}

/** What {@link planRollback} decided: the target, the audit tag and the history with verdicts. */
export interface RollbackPlan {
  /** The digest the track moves to. */
  toDigest: string;
  /** The tag the target was found under; empty when `to` was a digest no history tag names. */
  toTag: string;
  /** Why this target. */
  reason: string;
  /** Every history tag with its verdict (stamped newest first, then the skipped ones). */
  history: RollbackHistoryRow[];
  /** The audit tag written on the replaced digest. */
  audit: AuditTag;
  /** Things the user should know (equal stamp times). */
  warnings: string[];
}

/**
 * The re-run guard of a rollback, checked before any request: attempt 2 or later of a workflow run
 * without `to` would pick the next older build again and move the track back twice.
 *
 * @param input - the run attempt (absent outside a workflow run), whether `to` was given, the track and the operation.
 * @returns the refusal, or undefined when the rollback may proceed.
 */
export function rollbackRerunRefusal(input: { runAttempt?: number; hasTo: boolean; track: string; operation: string }): RollbackRefusal | undefined {
  if ((input.runAttempt ?? 1) <= 1 || input.hasTo) return undefined;
  return {
    code: 'RERUN_NEEDS_TO',
    message:
      `${input.operation}: this is attempt ${input.runAttempt} of the workflow run, and a rollback without \`to\` picks the next older build ` +
      `again, so a re-run could move ${input.track} back twice. Give \`to\` (the target in the first attempt's summary) to repeat or ` +
      'complete that rollback; nothing was moved',
  };
}

/**
 * The compare-and-swap guard of a rollback: the track is read (digest-verified) when the rollback is
 * decided and again right before the first write; when the second read differs, someone else moved
 * the track (a promote) and the rollback must not overwrite it. Pure.
 *
 * @param input - the operation, the track, the digest the plan was made from and the digest read now
 *   (undefined when the tag vanished).
 * @returns the `TRACK_MOVED` refusal, or undefined when the track is where the plan left it.
 * @example
 * ```ts
 * const refusal = trackMovedRefusal({ operation, track: 'prod', decidedFrom: fromDigest, current: await readTrack() });
 * if (refusal) throw new PolicyError(refusal.code, refusal.message);
 * ```
 */
export function trackMovedRefusal(input: { operation: string; track: string; decidedFrom: string; current: string | undefined }): RollbackRefusal | undefined {
  if (input.current === input.decidedFrom) return undefined;
  const now = input.current === undefined ? 'was deleted' : `now points at ${input.current}`;
  return {
    code: 'TRACK_MOVED',
    message:
      `${input.operation}: ${input.track} pointed at ${input.decidedFrom} when the rollback was planned and ${now} ` +
      '(moved by another job, e.g. a promote, while this rollback ran); run the rollback again to decide from the new state, ' +
      'and put promote, rollback and cleanup in one `concurrency` group; nothing was moved',
  };
}

/**
 * Plans a rollback: the target (the `to` input, else {@link pickRollbackTarget} over the stamped
 * history), the history with a verdict per tag, and the audit tag ({@link auditTagFor}). Refuses when
 * there is no target or the track is already at it. Pure: the caller resolved the track, the history
 * and `to` first.
 *
 * @param input - see {@link RollbackPlanInput}.
 * @returns the plan, or `{ refusal }`.
 * @throws {@link InvalidReferenceError} for a malformed digest; {@link ConfigurationError} for an invalid audit template.
 * @example
 * ```ts
 * const planned = planRollback({ operation: 'roll back r/app:prod', track: 'prod', trackDigest, history, skipped: [],
 *   historyPattern: 'prod-*', stampTemplates: ['prod-{date}-{sha}'], now, auditTemplate: ROLLBACK_AUDIT_TEMPLATE });
 * if ('refusal' in planned) throw new PolicyError(planned.refusal.code, planned.refusal.message);
 * ```
 */
export function planRollback(input: RollbackPlanInput): RollbackPlan | { refusal: RollbackRefusal } {
  const { operation, trackDigest, to } = input;
  const warnings: string[] = [];
  let toDigest: string;
  let toTag: string;
  let reason: string;
  let history: RollbackHistoryRow[];
  if (to) {
    toDigest = to.digest;
    const byTime = [...input.history].sort((a, b) => b.stampTime.getTime() - a.stampTime.getTime());
    toTag = to.kind === 'tag' ? to.tag : (byTime.find((entry) => entry.digest === toDigest)?.tag ?? '');
    reason = `roll back to ${to.kind === 'tag' ? to.tag : to.digest} (${toDigest}): given as the input to`;
    history = byTime.map((entry) => ({
      tag: entry.tag,
      stampTime: entry.stampTime,
      digest: entry.digest,
      verdict:
        entry.digest === toDigest
          ? 'target: the digest given as to'
          : entry.digest === trackDigest
            ? 'current: the build being replaced'
            : 'not used: to was given',
    }));
    history.push(...unreadRows(input.unread, 'not read: to was given'));
  } else {
    const pick = pickRollbackTarget({ history: input.history, currentDigest: trackDigest });
    warnings.push(...pick.warnings);
    history = pick.considered.map((candidate) => ({ ...candidate }));
    reason = input.history.length === 0 && (input.unread ?? []).length === 0 ? noStampReason(input) : pick.reason;
    if (!pick.target) {
      return { refusal: { code: 'NO_ROLLBACK_TARGET', message: `${operation}: ${reason}; nothing was moved`, considered: [...history, ...input.skipped] } };
    }
    toDigest = pick.target.digest;
    toTag = pick.target.tag;
    // A tag left unread is never newer than the target: nextHistoryReads reads from the newest down.
    history.push(...unreadRows(input.unread, `not read: stamped no later than the target ${toTag}`));
  }
  warnings.push(...unreadTieWarnings(input.history, input.unread));
  history.push(...input.skipped);
  if (toDigest === trackDigest) {
    return { refusal: { code: 'ALREADY_AT_TARGET', message: `${operation}: ${input.track} already points at ${toDigest}; nothing was moved` } };
  }
  const audit = auditTagFor({
    replacedDigest: trackDigest,
    history: input.history,
    now: input.now,
    template: input.auditTemplate,
    ...(input.replacedRevision !== undefined ? { replacedRevision: input.replacedRevision } : {}),
  });
  return { toDigest, toTag, reason, history, audit, warnings };
}

/**
 * The audit tag rule: an audit tag is never moved. It may already exist on the replaced build (a
 * re-run of the same rollback), never on another one.
 *
 * @param input - the audit tag, the digest it resolves to now (undefined when it does not exist), the replaced digest.
 * @returns the refusal, or undefined when the audit tag may be written.
 */
export function auditTagRefusal(input: { operation: string; auditTag: string; existing: string | undefined; replacedDigest: string }): RollbackRefusal | undefined {
  if (input.existing === undefined || input.existing === input.replacedDigest) return undefined;
  return {
    code: 'AUDIT_TAG_TAKEN',
    message: `${input.operation}: the audit tag ${input.auditTag} already exists on ${input.existing}, another build; an audit tag is never moved, so nothing was moved`,
  };
}

function unreadRows(unread: readonly StampedHistoryTag[] | undefined, verdict: string): RollbackHistoryRow[] {
  return [...(unread ?? [])]
    .sort((a, b) => b.stampTime.getTime() - a.stampTime.getTime())
    .map((entry) => ({ tag: entry.tag, stampTime: entry.stampTime, verdict }));
}

/** Equal stamp times between a read tag and an unread one (the read ones' ties are pickRollbackTarget's). */
function unreadTieWarnings(read: readonly RollbackHistoryEntry[], unread: readonly StampedHistoryTag[] | undefined): string[] {
  if (!unread || unread.length === 0) return [];
  const warnings: string[] = [];
  for (const entry of unread) {
    const tie = read.find((other) => hasTime(other) && other.stampTime.getTime() === entry.stampTime.getTime());
    if (tie) warnings.push(`${tie.tag} and ${entry.tag} have the same stamp time ${iso(entry.stampTime)}: their order follows the history as given`);
  }
  return warnings;
}

/** The input of {@link nextHistoryReads}. */
export interface HistoryReadsInput {
  /** The stamped history tags in listing order ({@link selectRollbackHistory}). */
  readonly stamped: readonly StampedHistoryTag[];
  /** What was read so far: the digest of each tag read, or null for a tag that vanished (404). */
  readonly read: ReadonlyMap<string, string | null>;
  /** The digest the track points at now. */
  readonly currentDigest: string;
  /** The `to` input, resolved; absent when the rollback picks its target. */
  readonly to?: { readonly kind: 'tag' | 'digest'; readonly digest: string };
  /** How many batches were read before this one (0 for the first). */
  readonly batch: number;
  /** The largest batch (default 8, the registry client's default requests in flight per host). */
  readonly maxBatch?: number;
}

/**
 * Which history tags a rollback reads next, newest stamp first, so that it reads only as far back as
 * its decision needs (a rollback usually goes back one build: the newest two tags decide it). The
 * tags read so far, from the newest down, decide when they hold:
 *
 * - without `to`: the newest tag carrying the current digest and, older than it, one with another
 *   digest (the target {@link pickRollbackTarget} picks from the whole history too);
 * - with `to` by digest: a tag carrying that digest (the newest such names the target);
 * - always: the commit SHA of the audit tag ({@link auditTagFor}): a tag read carrying the current digest
 *   with a SHA in its stamp, or no unread tag with a SHA in its stamp.
 *
 * Otherwise the next batch is the next newest unread tags: 2 in the first batch, doubling up to
 * `maxBatch`. When the current digest is in no history tag, everything is read (its absence decides).
 * Equal stamp times keep the listing order, as in {@link pickRollbackTarget}. Pure.
 *
 * @param input - see {@link HistoryReadsInput}.
 * @returns the tags to read next; empty when what was read decides (or everything was read).
 * @example
 * ```ts
 * const read = new Map<string, string | null>();
 * for (let batch = 0; ; batch++) {
 *   const next = nextHistoryReads({ stamped, read, currentDigest, batch });
 *   if (next.length === 0) break;
 *   for (const tag of next) read.set(tag, await digestOf(tag));
 * }
 * ```
 */
export function nextHistoryReads(input: HistoryReadsInput): string[] {
  const ordered = [...input.stamped].sort((a, b) => b.stampTime.getTime() - a.stampTime.getTime());
  let prefix = 0;
  while (prefix < ordered.length && input.read.has(ordered[prefix]!.tag)) prefix++;
  if (prefix === ordered.length) return [];
  const known = ordered.slice(0, prefix).flatMap((entry) => {
    const digest = input.read.get(entry.tag);
    return digest ? [{ ...entry, digest }] : [];
  });
  const { currentDigest, to } = input;
  const hasSha = (entry: StampedHistoryTag): boolean => entry.sha !== undefined && isAbbreviatedCommitSha(entry.sha.toLowerCase());
  const auditSettled =
    known.some((entry) => entry.digest === currentDigest && hasSha(entry)) || !ordered.slice(prefix).some(hasSha);
  let targetSettled: boolean;
  if (to) {
    targetSettled = to.kind === 'tag' || known.some((entry) => entry.digest === to.digest);
  } else {
    const anchor = known.findIndex((entry) => entry.digest === currentDigest);
    targetSettled = anchor >= 0 && known.slice(anchor + 1).some((entry) => entry.digest !== currentDigest);
  }
  if (auditSettled && targetSettled) return [];
  const size = Math.min(Math.max(1, input.maxBatch ?? 8), 2 * 2 ** Math.max(0, input.batch));
  return ordered
    .slice(prefix)
    .filter((entry) => !input.read.has(entry.tag))
    .slice(0, size)
    .map((entry) => entry.tag);
}

function noStampReason(input: Pick<RollbackPlanInput, 'historyPattern' | 'stampTemplates' | 'skipped'>): string {
  const form = input.stampTemplates.join(' or ');
  const unstamped = input.skipped.length;
  return unstamped === 0
    ? `no rollback target: no tag matches the history glob ${input.historyPattern}`
    : `no rollback target: none of the ${unstamped} tags matching ${input.historyPattern} has a stamp of the form ${form}`;
}

/**
 * The HTML comment that makes a rollback notice idempotent: one notice per audit tag.
 *
 * @param auditTag - the rollback's audit tag.
 * @returns e.g. `<!-- tagwright:rollback prod-rollback-20261122-101500-from-abc1234 -->`.
 */
export function rollbackMarker(auditTag: string): string {
  return `<!-- tagwright:rollback ${auditTag} -->`;
}

/**
 * The notice prepended to the release notes of the version a rollback replaced (a GitHub alert, Markdown).
 *
 * @param options - the track, the time, the two versions and digests, the audit tag.
 * @returns the marker line and the `> [!WARNING]` alert.
 */
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
