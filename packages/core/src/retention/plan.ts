import { ConfigurationError } from '../errors.js';
import escapeRegExp from 'escape-string-regexp';
import { branchTagOf, checkRetentionSafety, compileRetentionPolicy, compileRetentionPattern, isChannelTag, isRollbackAuditTag } from './policy.js';
import type {
  CompiledRetentionKeepNewest,
  CompiledRetentionPolicy,
  RetentionDeleteEntry,
  RetentionDeleteRule,
  RetentionKeepEntry,
  RetentionKeepRule,
  RetentionInput,
  RetentionPlan,
  RetentionTag,
  RetentionUntagEntry,
} from './types.js';
import { ARTIFACT_TAG_GRAMMAR } from '../grammar/artifact-tag.js';

/**
 * Legacy cosign artifact tags (`sha256-<hex>.sig`, `.att`, `.sbom`;
 * {@link https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md | cosign signature spec}) and
 * referrers fallback index tags (`sha256-<hex>`;
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema | referrers tag schema}).
 * The schema truncates the hex part to 64 characters (a `sha512` digest is found by prefix).
 */
const ARTIFACT_TAG = ARTIFACT_TAG_GRAMMAR;

/** How a manifest depends on another: as a child of an index, or as an artifact about a subject. */
type Via = 'child' | 'sig' | 'att' | 'sbom' | 'fallback' | 'referrer';

interface Edge {
  digest: string;
  via: Via;
}

interface Decision {
  keep: boolean;
  rule: RetentionKeepRule | RetentionDeleteRule;
  reason: string;
}

interface Alive {
  rule: RetentionKeepRule;
  reason: string;
}

type Scope =
  | { kind: 'scheduled' }
  | { kind: 'branch'; branch: string; tag: string; pattern?: RegExp }
  | { kind: 'tag-deleted'; tag?: string };

/** How many names a warning lists before it says "and N more". */
const LIST_LIMIT = 10;

/**
 * Plans which manifests of one repository to delete under a retention policy. Pure: no I/O, no clock;
 * the caller reads the inventory first and carries out the plan after.
 *
 * Rules, per tag (release tags and build tags; signature and fallback index tags follow their subject):
 * a tag outside `only` or matching a protect pattern stays; without `only`, a channel tag ({@link isChannelTag}:
 * `prod`, `staging`, `main`…), a rollback audit tag (`*-rollback-*`) and the newest `historyKeep` (default 10)
 * rollback history stamps (`<channel>-*`) of each channel tag present stay; the `count` newest tags of each
 * keep group stay; when `olderThan` is set only older tags may go; a tag no rule selects stays. A scheduled
 * run refuses a keep count of 0 and an `olderThan` under one hour ({@link checkRetentionSafety}).
 *
 * Invariants, for every input:
 * - a protected or kept tag's digest is never deleted;
 * - the children of a kept {@link https://github.com/opencontainers/image-spec/blob/main/image-index.md | image index}
 *   are never deleted, and neither is any manifest that a kept manifest refers to;
 * - signatures and attestations (legacy `.sig`/`.att`/`.sbom` tags,
 *   {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers | referrers} and the
 *   {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema | referrers fallback index})
 *   of a kept manifest stay; those of a deleted manifest are deleted with it;
 * - a manifest carrying both a deletable and a kept tag stays: the deletable tag is untagged when
 *   `canUntag`, otherwise kept with a warning (a registry DELETE by digest removes every tag;
 *   {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests | Deleting manifests});
 * - when any manifest is `unreadable`, or a tag is listed with two digests, nothing is deleted (`skipped` + a warning);
 * - `branch-deleted` deletes only that branch's tags (and what only they held); `tag-deleted` changes nothing;
 * - nothing is deleted without a cause: a manifest goes only when its tags go, when it is an untagged manifest
 *   `deleteUntagged` allows, or when only manifests that go hold it. A signature, attestation or referrer whose
 *   subject is not in the repository stays.
 *
 * @param input - the inventory, the policy, `canUntag`, `now` and the mode.
 * @returns the plan: `keep`, `delete` (ordered: referring manifests before the manifests they refer to),
 * `untag`, `warnings`, and `skipped` when nothing at all is to change.
 * @throws {@link ConfigurationError} `INVALID_INPUT` for a bad policy (regex, glob, count, duration; in a scheduled
 * run a keep count of 0 or an `olderThan` under one hour), a missing
 * branch in `branch-deleted` mode, an unknown mode or an invalid `now`; nothing is planned then.
 * @example
 * ```ts
 * const plan = planRetention({
 *   inventory: { tags, untagged, indexes, referrers, unreadable: [] },
 *   policy: { keep: [{ pattern: 'sha-*', count: 30 }], protectBranches: ['main'], deleteUntagged: true },
 *   canUntag: false,
 *   now: new Date(),
 * });
 * for (const entry of plan.delete) await registry.deleteManifest(repository, entry.digest);
 * ```
 */
export function planRetention(input: RetentionInput): RetentionPlan {
  const policy = compileRetentionPolicy(input.policy);
  checkRetentionSafety(input.policy, input.mode);
  const scope = resolveScope(input);
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) {
    throw new ConfigurationError('INVALID_INPUT', `plan retention now ${JSON.stringify(String(input.now))}: not a valid date`);
  }
  if (scope.kind === 'tag-deleted') {
    const what = scope.tag ? `git tag ${scope.tag}` : 'a git tag';
    return emptyPlan(`deleting ${what} never deletes a release image`, false);
  }

  const inventory = input.inventory;
  const unreadable = [...new Set(inventory.unreadable ?? [])].sort();
  if (unreadable.length > 0) {
    return emptyPlan(
      `nothing deleted: ${unreadable.length} manifest(s) could not be read (${listNames(unreadable)}); ` +
        'retention must know every index and signature before it deletes anything',
      true,
    );
  }

  // ---- Tags: ordinary tags get rules; artifact tags follow their subject. ----
  const digestOfTag = new Map<string, string>();
  const conflicting = new Set<string>();
  const uniqueTags: RetentionTag[] = [];
  for (const entry of inventory.tags) {
    const seen = digestOfTag.get(entry.tag);
    if (seen === undefined) {
      digestOfTag.set(entry.tag, entry.digest);
      uniqueTags.push(entry);
    } else if (seen !== entry.digest) {
      conflicting.add(entry.tag);
    }
  }
  if (conflicting.size > 0) {
    return emptyPlan(
      `nothing deleted: tag(s) listed with two different digests (${listNames([...conflicting].sort())}); ` +
        'the tag list changed while it was read',
      true,
    );
  }

  const universe = new Set<string>();
  const tagsByDigest = new Map<string, string[]>();
  const ordinaryByDigest = new Map<string, RetentionTag[]>();
  const ordinary: RetentionTag[] = [];
  const artifactTags: Array<{ entry: RetentionTag; alg: string; hex: string; via: Via }> = [];
  for (const entry of uniqueTags) {
    universe.add(entry.digest);
    push(tagsByDigest, entry.digest, entry.tag);
    const artifact = ARTIFACT_TAG.exec(entry.tag);
    if (artifact) {
      const via: Via = (artifact[3] as 'sig' | 'att' | 'sbom' | undefined) ?? 'fallback';
      artifactTags.push({ entry, alg: artifact[1] ?? '', hex: artifact[2] ?? '', via });
    } else {
      ordinary.push(entry);
      push(ordinaryByDigest, entry.digest, entry);
    }
  }
  const createdOfDigest = new Map<string, number>();
  for (const manifest of inventory.untagged ?? []) {
    universe.add(manifest.digest);
    const time = timeOf(manifest.created);
    if (time !== undefined && !createdOfDigest.has(manifest.digest)) createdOfDigest.set(manifest.digest, time);
  }
  const indexes = Object.entries(inventory.indexes ?? {});
  for (const [index, children] of indexes) {
    universe.add(index);
    for (const child of children) universe.add(child);
  }
  for (const referrer of inventory.referrers ?? []) universe.add(referrer.digest);

  // ---- Edges: parent/subject → dependant. ----
  const dependants = new Map<string, Edge[]>();
  const anchors = new Map<string, Edge[]>();
  const orphans = new Set<string>();
  const addEdge = (from: string, to: string, via: Via): void => {
    if (from === to) {
      if (via !== 'child') orphans.add(to);
      return;
    }
    push(dependants, from, { digest: to, via });
    push(anchors, to, { digest: from, via });
  };
  for (const [index, children] of indexes) {
    for (const child of children) addEdge(index, child, 'child');
  }
  for (const referrer of inventory.referrers ?? []) {
    if (universe.has(referrer.subjectDigest)) addEdge(referrer.subjectDigest, referrer.digest, 'referrer');
    else orphans.add(referrer.digest);
  }
  const sha512s = [...universe].filter((digest) => digest.startsWith('sha512:'));
  for (const { entry, alg, hex, via } of artifactTags) {
    const subject =
      alg === 'sha256' ? `sha256:${hex}` : sha512s.find((digest) => digest.startsWith(`sha512:${hex}`));
    if (subject !== undefined && universe.has(subject)) addEdge(subject, entry.digest, via);
    else orphans.add(entry.digest);
  }

  // ---- Rules: one decision per ordinary tag. ----
  const warnings: string[] = [];
  const decisions =
    scope.kind === 'branch'
      ? decideForBranch(ordinary, policy, scope, warnings)
      : decideScheduled(ordinary, policy, input.now, warnings);

  // ---- What stays: kept tags, untouched untagged manifests, orphans, and everything they refer to. ----
  const threshold = policy.olderThanMs === undefined ? undefined : input.now.getTime() - policy.olderThanMs;
  const alive = new Map<string, Alive>();
  const queue: string[] = [];
  const markAlive = (digest: string, rule: RetentionKeepRule, reason: string): void => {
    if (alive.has(digest)) return;
    alive.set(digest, { rule, reason });
    queue.push(digest);
  };
  const deletableUntagged = new Set<string>();
  const deletionRoots: string[] = [];
  const unknownAgeUntagged: string[] = [];
  const digests = [...universe].sort();
  for (const digest of digests) {
    const tags = ordinaryByDigest.get(digest) ?? [];
    const kept = tags.map((entry) => ({ entry, decision: decisions.get(entry.tag) })).find((d) => d.decision?.keep);
    if (kept?.decision) {
      markAlive(digest, kept.decision.rule as RetentionKeepRule, `tag ${kept.entry.tag} is kept: ${kept.decision.reason}`);
    } else if (orphans.has(digest)) {
      // Its subject is not here (deleted by another tool, or never pushed): not ours to judge.
      markAlive(digest, 'orphan-artifact', 'signature, attestation or referrer whose subject is not in the repository');
    } else if (tags.length > 0) {
      // Every tag of it goes: it goes too unless something that stays holds it (decided by the walk below).
      deletionRoots.push(digest);
    } else if (anchors.has(digest)) {
      // Held by an index or a subject: follows them.
    } else if (scope.kind === 'scheduled' && policy.deleteUntagged) {
      const time = createdOfDigest.get(digest);
      if (threshold === undefined || (time !== undefined && time < threshold)) {
        deletableUntagged.add(digest);
        deletionRoots.push(digest);
      } else if (time === undefined) {
        unknownAgeUntagged.push(digest);
        markAlive(digest, 'unknown-age', 'untagged manifest of unknown age');
      } else {
        markAlive(digest, 'younger', `untagged manifest not older than ${policy.olderThan ?? ''}`);
      }
    } else {
      markAlive(
        digest,
        'untagged',
        scope.kind === 'branch'
          ? 'untagged manifest (a branch deletion removes only the branch tags)'
          : 'untagged manifest (deleteUntagged is off)',
      );
    }
  }
  // Everything a manifest that stays refers to stays; a manifest goes only when a rule reaches it
  // (its tags go, it is a deletable untagged manifest, or only such manifests hold it). Manifests held
  // in a reference cycle that no rule reaches (impossible in a real registry) stay.
  let walked = 0;
  for (;;) {
    for (; walked < queue.length; walked++) {
      const holder = queue[walked] as string;
      for (const edge of dependants.get(holder) ?? []) {
        markAlive(edge.digest, edge.via === 'child' ? 'index-child' : 'artifact', `${describeVia(edge.via)} kept ${short(holder)}`);
      }
    }
    const reached = new Set<string>();
    const pending = deletionRoots.filter((digest) => !alive.has(digest));
    for (const digest of pending) reached.add(digest);
    for (let i = 0; i < pending.length; i++) {
      for (const edge of dependants.get(pending[i] as string) ?? []) {
        if (alive.has(edge.digest) || reached.has(edge.digest)) continue;
        reached.add(edge.digest);
        pending.push(edge.digest);
      }
    }
    const before = queue.length;
    for (const digest of digests) {
      if (!alive.has(digest) && !reached.has(digest)) {
        markAlive(digest, 'untagged', 'held only by manifests it holds itself (a reference cycle no rule reaches)');
      }
    }
    if (queue.length === before) break;
  }

  // ---- The plan. ----
  const keep: RetentionKeepEntry[] = [];
  const untag: RetentionUntagEntry[] = [];
  for (const entry of [...ordinary].sort(byTag)) {
    const decision = decisions.get(entry.tag) as Decision;
    const holder = alive.get(entry.digest);
    if (decision.keep) {
      keep.push({ tag: entry.tag, digest: entry.digest, rule: decision.rule as RetentionKeepRule, reason: decision.reason });
    } else if (holder) {
      if (input.canUntag) {
        untag.push({
          tag: entry.tag,
          digest: entry.digest,
          rule: decision.rule as RetentionDeleteRule,
          reason: `${decision.reason}; the manifest stays (${holder.reason})`,
        });
      } else {
        keep.push({
          tag: entry.tag,
          digest: entry.digest,
          rule: 'shared-digest',
          reason: `${decision.reason}, but the manifest stays (${holder.reason})`,
        });
        warnings.push(
          `kept tag ${entry.tag} (${short(entry.digest)}): ${decision.reason}, but its manifest stays (${holder.reason}) ` +
            'and this registry cannot remove a tag without deleting the manifest and every tag on it',
        );
      }
    }
  }
  for (const { entry } of [...artifactTags].sort((a, b) => byTag(a.entry, b.entry))) {
    const holder = alive.get(entry.digest);
    if (holder) keep.push({ tag: entry.tag, digest: entry.digest, rule: holder.rule, reason: holder.reason });
  }
  for (const digest of digests) {
    const holder = alive.get(digest);
    if (holder && !tagsByDigest.has(digest)) keep.push({ digest, rule: holder.rule, reason: holder.reason });
  }

  const doomed = new Map<string, RetentionDeleteEntry>();
  for (const digest of digests) {
    if (alive.has(digest)) continue;
    const tags = [...(tagsByDigest.get(digest) ?? [])].sort();
    const own = [...(ordinaryByDigest.get(digest) ?? [])].sort(byTag);
    let rule: RetentionDeleteRule;
    let reason: string;
    const first = own[0];
    if (first) {
      const decision = decisions.get(first.tag) as Decision;
      rule = decision.rule as RetentionDeleteRule;
      reason = own.map((entry) => `${entry.tag}: ${(decisions.get(entry.tag) as Decision).reason}`).join('; ');
    } else if (deletableUntagged.has(digest)) {
      rule = 'untagged';
      reason = policy.olderThan === undefined ? 'untagged manifest' : `untagged manifest older than ${policy.olderThan}`;
    } else {
      const anchor = [...(anchors.get(digest) ?? [])].sort((a, b) => compare(a.digest, b.digest))[0] as Edge;
      rule = anchor.via === 'child' ? 'index-child' : 'artifact';
      reason = `${describeVia(anchor.via)} deleted ${short(anchor.digest)}`;
    }
    doomed.set(digest, { digest, tags, rule, reason });
  }

  if (unknownAgeUntagged.length > 0) {
    warnings.push(
      `kept ${unknownAgeUntagged.length} untagged manifest(s) of unknown age (${listNames(unknownAgeUntagged.map(short))}): ` +
        `olderThan ${policy.olderThan ?? ''} cannot be checked`,
    );
  }

  return { keep, delete: deletionOrder(doomed, anchors), untag, warnings };
}

function decideScheduled(
  ordinary: readonly RetentionTag[],
  policy: CompiledRetentionPolicy,
  now: Date,
  warnings: string[],
): Map<string, Decision> {
  const decisions = new Map<string, Decision>();
  const eligible: RetentionTag[] = [];
  for (const entry of ordinary) {
    const protector = policy.protect.find((pattern) => pattern.regex.test(entry.tag));
    if (policy.only && !policy.only.regex.test(entry.tag)) {
      decisions.set(entry.tag, { keep: true, rule: 'outside-only', reason: `outside only ${policy.only.source}` });
    } else if (protector) {
      decisions.set(entry.tag, { keep: true, rule: 'protect', reason: `protected: ${protector.label ?? protector.source}` });
    } else if (!policy.only && isChannelTag(entry.tag)) {
      decisions.set(entry.tag, { keep: true, rule: 'channel', reason: 'channel tag (names no version, commit or date); only can name it' });
    } else if (!policy.only && isRollbackAuditTag(entry.tag)) {
      decisions.set(entry.tag, { keep: true, rule: 'rollback-history', reason: 'rollback audit tag; only can name it' });
    } else {
      eligible.push(entry);
    }
  }
  if (!policy.only) keepRollbackHistory(ordinary, eligible, policy.historyKeep, decisions);

  const groupOf = new Map<string, CompiledRetentionKeepNewest>();
  const members = new Map<CompiledRetentionKeepNewest, Array<{ entry: RetentionTag; time: number }>>();
  for (const entry of eligible) {
    if (decisions.has(entry.tag)) continue;
    const group = policy.keep.find((rule) => rule.matches(entry.tag));
    if (!group) continue;
    groupOf.set(entry.tag, group);
    const time = timeOf(entry.created);
    if (time !== undefined) push(members, group, { entry, time });
  }
  for (const [group, list] of members) {
    list.sort((a, b) => b.time - a.time || compare(a.entry.tag, b.entry.tag));
    for (const { entry } of list.slice(0, group.count)) {
      decisions.set(entry.tag, {
        keep: true,
        rule: 'keep-newest',
        reason: `one of the ${group.count} newest ${group.pattern}`,
      });
    }
  }

  const threshold = policy.olderThanMs === undefined ? undefined : now.getTime() - policy.olderThanMs;
  const unknownAge: string[] = [];
  for (const entry of eligible) {
    if (decisions.has(entry.tag)) continue;
    const group = groupOf.get(entry.tag);
    const time = timeOf(entry.created);
    const older = threshold === undefined ? '' : ` and older than ${policy.olderThan ?? ''}`;
    if (time === undefined && (group || threshold !== undefined)) {
      unknownAge.push(entry.tag);
      decisions.set(entry.tag, { keep: true, rule: 'unknown-age', reason: 'creation time unknown' });
    } else if (time !== undefined && threshold !== undefined && !(time < threshold)) {
      decisions.set(entry.tag, { keep: true, rule: 'younger', reason: `not older than ${policy.olderThan ?? ''}` });
    } else if (group) {
      decisions.set(entry.tag, {
        keep: false,
        rule: 'keep-newest',
        reason: `not among the ${group.count} newest ${group.pattern}${older}`,
      });
    } else if (threshold !== undefined) {
      decisions.set(entry.tag, { keep: false, rule: 'older-than', reason: `older than ${policy.olderThan ?? ''}` });
    } else {
      decisions.set(entry.tag, { keep: true, rule: 'no-rule', reason: 'no rule selects it' });
    }
  }
  if (unknownAge.length > 0) {
    warnings.push(`kept ${unknownAge.length} tag(s) whose creation time is unknown: ${listNames(unknownAge.sort())}`);
  }
  return decisions;
}

/**
 * The rollback history of each channel tag present (`prod` → `prod-*` stamps that are not channel tags
 * themselves): the `count` newest stay, by the date written in the stamp (`prod-20261122-…`,
 * `prod-20261122-101500-…`), else the creation time; a stamp of unknown time stays.
 */
function keepRollbackHistory(
  ordinary: readonly RetentionTag[],
  eligible: readonly RetentionTag[],
  count: number,
  decisions: Map<string, Decision>,
): void {
  const tracks = ordinary.map((entry) => entry.tag).filter(isChannelTag);
  if (tracks.length === 0) return;
  const byTrack = new Map<string, Array<{ entry: RetentionTag; time: number | undefined }>>();
  for (const entry of eligible) {
    const track = tracks.filter((t) => entry.tag.startsWith(`${t}-`)).sort((a, b) => b.length - a.length)[0];
    if (track === undefined) continue;
    push(byTrack, track, { entry, time: stampTime(entry.tag.slice(track.length + 1)) ?? timeOf(entry.created) });
  }
  for (const [track, list] of byTrack) {
    const known = list.filter((item) => item.time !== undefined).sort((a, b) => (b.time as number) - (a.time as number) || compare(a.entry.tag, b.entry.tag));
    for (const { entry } of known.slice(0, count)) {
      decisions.set(entry.tag, { keep: true, rule: 'rollback-history', reason: `one of the ${count} newest rollback history stamps of ${track}` });
    }
    for (const { entry } of list.filter((item) => item.time === undefined)) {
      decisions.set(entry.tag, { keep: true, rule: 'rollback-history', reason: `rollback history stamp of ${track} of unknown time` });
    }
  }
}

/** The time a stamp names: `YYYYMMDD` or `YYYYMMDD-HHMMSS` at its start (UTC), as rollback's `{date}` and `{datetime}` write it. */
function stampTime(rest: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(?:-?(\d{2})(\d{2})(\d{2}))?(?:$|[-_.])/.exec(rest);
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', se = '0'] = match;
  const time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  return Number.isNaN(time) ? undefined : time;
}

function decideForBranch(
  ordinary: readonly RetentionTag[],
  policy: CompiledRetentionPolicy,
  scope: Extract<Scope, { kind: 'branch' }>,
  warnings: string[],
): Map<string, Decision> {
  const decisions = new Map<string, Decision>();
  let found = 0;
  for (const entry of ordinary) {
    const ofBranch = entry.tag === scope.tag || (scope.pattern?.test(entry.tag) ?? false);
    const protector = policy.protect.find((pattern) => pattern.regex.test(entry.tag));
    if (!ofBranch) {
      decisions.set(entry.tag, { keep: true, rule: 'not-branch', reason: `not a tag of deleted branch ${scope.branch}` });
      continue;
    }
    found++;
    if (policy.only && !policy.only.regex.test(entry.tag)) {
      decisions.set(entry.tag, { keep: true, rule: 'outside-only', reason: `outside only ${policy.only.source}` });
    } else if (protector) {
      decisions.set(entry.tag, { keep: true, rule: 'protect', reason: `protected: ${protector.label ?? protector.source}` });
      warnings.push(`kept tag ${entry.tag} of deleted branch ${scope.branch}: it is protected (${protector.label ?? protector.source})`);
    } else {
      decisions.set(entry.tag, { keep: false, rule: 'branch-deleted', reason: `tag of deleted branch ${scope.branch}` });
    }
  }
  if (found === 0) warnings.push(`no tag of deleted branch ${scope.branch} (tag ${scope.tag}) in the repository`);
  return decisions;
}

function resolveScope(input: RetentionInput): Scope {
  switch (input.mode) {
    case undefined:
    case 'scheduled':
      return { kind: 'scheduled' };
    case 'tag-deleted':
      return input.tag === undefined ? { kind: 'tag-deleted' } : { kind: 'tag-deleted', tag: input.tag };
    case 'branch-deleted': {
      const { branch } = input;
      if (typeof branch !== 'string' || branch.trim() === '') {
        throw new ConfigurationError('INVALID_INPUT', `parse branch ${JSON.stringify(branch)}: empty branch name`);
      }
      const tag = input.branchTag ?? branchTagOf(branch);
      if (tag === '') {
        throw new ConfigurationError('INVALID_INPUT', `parse branch ${JSON.stringify(branch)}: no tag can be made of it`);
      }
      if (input.branchTagPattern === undefined) return { kind: 'branch', branch, tag };
      const pattern = compileRetentionPattern(input.branchTagPattern.split('{branch}').join(escapeRegExp(tag)), 'branchTagPattern');
      return { kind: 'branch', branch, tag, pattern: pattern.regex };
    }
    default:
      throw new ConfigurationError(
        'INVALID_INPUT',
        `parse mode ${JSON.stringify((input as { mode?: unknown }).mode)}: expected scheduled, branch-deleted or tag-deleted`,
      );
  }
}

/**
 * Orders deletions so that a manifest goes before the manifests it refers to: an index before its
 * children, a signature, attestation, referrer or fallback index before its subject. A depth-first
 * reverse post-order (deterministic: digests visited in sorted order) keeps every constraint that is not
 * part of a reference cycle, which only a malformed inventory can contain.
 */
function deletionOrder(doomed: Map<string, RetentionDeleteEntry>, anchors: Map<string, Edge[]>): RetentionDeleteEntry[] {
  // next[a] = manifests that must be deleted after a.
  const next = new Map<string, string[]>();
  for (const digest of doomed.keys()) {
    for (const edge of anchors.get(digest) ?? []) {
      if (!doomed.has(edge.digest) || edge.digest === digest) continue;
      // child: the index (edge.digest) first; artifact: the artifact (digest) first.
      if (edge.via === 'child') push(next, edge.digest, digest);
      else push(next, digest, edge.digest);
    }
  }
  for (const list of next.values()) list.sort(compare);

  const finished: string[] = [];
  const visited = new Set<string>();
  // Visit in reverse sorted order so that the reversed result starts with the smallest digests.
  for (const start of [...doomed.keys()].sort(compare).reverse()) {
    if (visited.has(start)) continue;
    visited.add(start);
    const stack: Array<{ digest: string; i: number }> = [{ digest: start, i: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { digest: string; i: number };
      const after = next.get(top.digest) ?? [];
      if (top.i < after.length) {
        const child = after[after.length - 1 - top.i] as string;
        top.i++;
        if (!visited.has(child)) {
          visited.add(child);
          stack.push({ digest: child, i: 0 });
        }
      } else {
        finished.push(top.digest);
        stack.pop();
      }
    }
  }
  return finished.reverse().map((digest) => doomed.get(digest) as RetentionDeleteEntry);
}

function emptyPlan(reason: string, warn: boolean): RetentionPlan {
  return { keep: [], delete: [], untag: [], warnings: warn ? [reason] : [], skipped: reason };
}

function describeVia(via: Via): string {
  switch (via) {
    case 'child':
      return 'child of';
    case 'sig':
      return 'signature (.sig) of';
    case 'att':
      return 'attestation (.att) of';
    case 'sbom':
      return 'SBOM (.sbom) of';
    case 'fallback':
      return 'referrers fallback index of';
    case 'referrer':
      return 'referrer of';
  }
}

function timeOf(date: Date | undefined): number | undefined {
  if (!(date instanceof Date)) return undefined;
  const time = date.getTime();
  return Number.isNaN(time) ? undefined : time;
}

/** `sha256:0123456789ab` — the algorithm and the first 12 hex digits. */
function short(digest: string): string {
  const colon = digest.indexOf(':');
  return colon < 0 ? digest : digest.slice(0, colon + 13);
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, LIST_LIMIT).join(', ');
  return names.length > LIST_LIMIT ? `${shown} and ${names.length - LIST_LIMIT} more` : shown;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function byTag(a: RetentionTag, b: RetentionTag): number {
  return compare(a.tag, b.tag);
}
