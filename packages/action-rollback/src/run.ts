import { createActionRegistryClient, escapeMarkdown, markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime, DigestVerifier, VerificationInputs, VerificationOutcome } from '@tagwright/action-kit';
import { PartialMutationError, PolicyError, errorMessage } from '@tagwright/core/errors';
import { auditTagFor, pickRollbackTarget, selectRollbackHistory } from '@tagwright/core/policy';
import type { AuditTag, RollbackHistoryEntry } from '@tagwright/core/policy';
import { promote } from '@tagwright/core/promote';
import type { PromoteReport } from '@tagwright/core/promote';
import { formatReference } from '@tagwright/core/registry';
import type { ImageReference, RegistryClient, RepositoryReference } from '@tagwright/core/registry';
import pLimit from 'p-limit';
import type { Inputs } from './inputs.js';
import type { PreparedRollbackRelease, RollbackReleaseContext, RollbackReleaseResult } from './release.js';
import { resolveDigestIfExists } from '@tagwright/core/registry';

export type { VerificationOutcome };

/** One history tag as the summary shows it. */
export interface HistoryRow {
  tag: string;
  /** The time read from its stamp; absent when it has none. */
  stampTime?: Date;
  /** Absent when it was not resolved (no stamp, or the tag vanished). */
  digest?: string;
  verdict: string;
}

/** What a rollback did (or would do, in a dry run). */
export interface RollbackOutcome {
  repository: string;
  track: string;
  fromDigest: string;
  toDigest: string;
  /** The tag the target was found under; empty when `to` was a digest no history tag names. */
  toTag: string;
  audit: AuditTag;
  /** Why this target. */
  reason: string;
  history: HistoryRow[];
  /** The audit tag write. */
  auditReport: PromoteReport;
  /** The track and `also` move. */
  moveReport: PromoteReport;
  verification: VerificationOutcome | null;
  dryRun: boolean;
}

/** What rollback needs from the outside world. */
export interface Deps {
  registryClient(inputs: Inputs): RegistryClient;
  /**
   * Checks the verification inputs (compiles the policy, loads the trust material) before any
   * registry request; called only when verification is configured. Optional.
   */
  prepareVerify?(verification: VerificationInputs): Promise<void>;
  /** Verifies the target digest's signatures; throws to refuse the rollback (nothing is written). */
  verify(client: RegistryClient, verification: VerificationInputs, repository: RepositoryReference, digest: string): Promise<VerificationOutcome>;
  /**
   * Prepares the GitHub side before anything moves (reads only): the versions of the two digests,
   * the release of the version rolled back to (created as promote would, when missing), the
   * release of the replaced version to mark. Undefined when no release is requested. Loaded
   * lazily (octokit is heavy).
   */
  release(inputs: Inputs, context: RollbackReleaseContext): Promise<PreparedRollbackRelease | undefined>;
  now(): Date;
  info(message: string): void;
}

/** The real deps for a workflow run. */
export function createDeps(runtime: ActionRuntime): Deps {
  // action-kit's verifier, shared with promote: Sigstore is loaded only when verification is configured.
  let verifier: Promise<DigestVerifier> | undefined;
  const prepare = (verification: VerificationInputs): Promise<DigestVerifier> =>
    (verifier ??= import('./verify.js').then((module) => module.prepareVerifier(verification, runtime)));
  return {
    registryClient: (inputs) =>
      createActionRegistryClient(inputs.registry, [inputs.image.registry], runtime, { userAgent: 'tagwright-rollback' }),
    prepareVerify: async (verification) => {
      await prepare(verification);
    },
    verify: async (client, verification, repository, digest) => (await prepare(verification))(client, { ...repository, digest }),
    release: async (inputs, context) =>
      inputs.release.mode === 'none' ? undefined : (await import('./release.js')).prepareRollbackRelease(inputs, context, runtime),
    now: () => runtime.now(),
    info: (message) => runtime.info(message),
  };
}

interface StampedEntry extends RollbackHistoryEntry {
  readonly stampTime: Date;
}

/**
 * Moves the track tag (and `also`) back to an earlier build: reads the stamped history, picks
 * the target (or takes `to`), verifies it before anything moves, writes the audit tag on the
 * digest being replaced, moves the tags with the same manifest bytes and re-reads every one.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const now = deps.now();
  const client = deps.registryClient(inputs);
  const repo: RepositoryReference = { registry: inputs.image.registry, repository: inputs.image.repository };
  const trackRef: ImageReference = { ...repo, tag: inputs.track };
  const operation = `roll back ${formatReference(trackRef)}`;
  const warnings: string[] = [];
  if ((inputs.runAttempt ?? 1) > 1 && !inputs.to) {
    throw new PolicyError(
      'RERUN_NEEDS_TO',
      `${operation}: this is attempt ${inputs.runAttempt} of the workflow run, and a rollback without \`to\` picks the next older build ` +
        `again, so a re-run could move ${inputs.track} back twice. Give \`to\` (the target in the first attempt's summary) to repeat or ` +
        'complete that rollback; nothing was moved',
    );
  }
  if (inputs.verification.configured && deps.prepareVerify) await deps.prepareVerify(inputs.verification);

  const fromDigest = await resolveDigestIfExists(client, trackRef);
  if (fromDigest === undefined) {
    throw new PolicyError('TRACK_NOT_FOUND', `${operation}: the tag does not exist, so there is nothing to roll back; nothing was moved`);
  }
  deps.info(`${inputs.track} points at ${fromDigest}`);

  const { stamped, rows: unstampedRows, tags } = await readHistory(client, repo, inputs);
  deps.info(`history ${inputs.history.pattern}: ${stamped.length} stamped tags, ${unstampedRows.length} others`);

  let toDigest: string;
  let toTag: string;
  let reason: string;
  let rows: HistoryRow[];
  if (inputs.to) {
    const toRef: ImageReference = inputs.to.kind === 'tag' ? { ...repo, tag: inputs.to.tag } : { ...repo, digest: inputs.to.digest };
    const resolved = await resolveDigestIfExists(client, toRef);
    if (resolved === undefined) {
      throw new PolicyError('TARGET_NOT_FOUND', `${operation}: to ${formatReference(toRef)} does not exist; nothing was moved`);
    }
    toDigest = resolved;
    const byTime = newestFirst(stamped);
    toTag = inputs.to.kind === 'tag' ? inputs.to.tag : (byTime.find((entry) => entry.digest === toDigest)?.tag ?? '');
    reason = `roll back to ${inputs.to.kind === 'tag' ? inputs.to.tag : inputs.to.digest} (${toDigest}): given as the input to`;
    rows = byTime.map((entry) => ({
      tag: entry.tag,
      stampTime: entry.stampTime,
      digest: entry.digest,
      verdict:
        entry.digest === toDigest
          ? 'target: the digest given as to'
          : entry.digest === fromDigest
            ? 'current: the build being replaced'
            : 'not used: to was given',
    }));
  } else {
    const pick = pickRollbackTarget({ history: stamped, currentDigest: fromDigest });
    warnings.push(...pick.warnings);
    rows = pick.considered.map((candidate) => ({ ...candidate }));
    reason = stamped.length === 0 ? noStampReason(inputs, unstampedRows.length) : pick.reason;
    if (!pick.target) {
      for (const row of [...rows, ...unstampedRows]) deps.info(`  ${row.tag}: ${row.verdict}`);
      throw new PolicyError('NO_ROLLBACK_TARGET', `${operation}: ${reason}; nothing was moved`);
    }
    toDigest = pick.target.digest;
    toTag = pick.target.tag;
  }
  rows.push(...unstampedRows);
  if (toDigest === fromDigest) {
    throw new PolicyError('ALREADY_AT_TARGET', `${operation}: ${inputs.track} already points at ${toDigest}; nothing was moved`);
  }
  deps.info(reason);

  const audit = auditTagFor({ replacedDigest: fromDigest, history: stamped, now, template: inputs.auditTemplate });
  if (tags.has(audit.tag)) {
    const existing = await resolveDigestIfExists(client, { ...repo, tag: audit.tag });
    if (existing !== undefined && existing !== fromDigest) {
      throw new PolicyError(
        'AUDIT_TAG_TAKEN',
        `${operation}: the audit tag ${audit.tag} already exists on ${existing}, another build; an audit tag is never moved, so nothing was moved`,
      );
    }
  }

  let verification: VerificationOutcome | null = null;
  if (inputs.verification.configured) {
    verification = await deps.verify(client, inputs.verification, repo, toDigest);
    deps.info(`verified ${toDigest}`);
  } else {
    warnings.push(
      `rolling back ${formatReference(trackRef)} to ${toDigest} without signature verification: give certificate-identity and certificate-oidc-issuer, or key`,
    );
  }

  // The GitHub side is decided (and its notes written) before anything moves; a dry run shows it.
  const release = await deps.release(inputs, {
    client,
    repository: repo,
    tags: [...tags],
    track: inputs.track,
    fromDigest,
    toDigest,
    toTag,
    auditTag: audit.tag,
    now,
  });
  if (release) warnings.push(...release.warnings);

  // The trace first: the audit tag pins the replaced build before the track leaves it.
  const auditReport = await promote({
    client,
    source: { ...repo, digest: fromDigest },
    targets: [audit.tag],
    dryRun: inputs.dryRun,
    onProgress: deps.info,
  });
  let moveReport: PromoteReport;
  try {
    moveReport = await promote({
      client,
      source: { ...repo, digest: toDigest },
      targets: [inputs.track, ...inputs.also],
      dryRun: inputs.dryRun,
      onProgress: deps.info,
    });
  } catch (error: unknown) {
    const report = { audit: auditReport, move: error instanceof PartialMutationError ? error.report : 'not written' };
    throw new PartialMutationError(
      `${operation} to ${toDigest}: the audit tag ${audit.tag} was ${inputs.dryRun ? 'planned' : 'written'}, then moving the tags failed: ${errorMessage(error)}`,
      report,
      { cause: error },
    );
  }
  const trackBefore = moveReport.targets.find((target) => target.tag === inputs.track)?.before;
  if (trackBefore !== undefined && trackBefore !== fromDigest) {
    warnings.push(`${inputs.track} moved from ${fromDigest} to ${String(trackBefore)} while this rollback ran; the audit tag names ${fromDigest}`);
  }

  const outcome: RollbackOutcome = {
    repository: formatReference(repo),
    track: inputs.track,
    fromDigest,
    toDigest,
    toTag,
    audit,
    reason,
    history: rows,
    auditReport,
    moveReport,
    verification,
    dryRun: inputs.dryRun,
  };
  let released: RollbackReleaseResult | undefined;
  if (release && !inputs.dryRun) {
    try {
      released = await release.apply(moveReport, verification);
    } catch (error: unknown) {
      // The tags have moved: say so, so that the releases can be finished by hand.
      throw new PartialMutationError(
        `${operation} to ${toDigest}: the tags moved (audit tag ${audit.tag}), then updating the GitHub releases failed: ${errorMessage(error)}`,
        { audit: auditReport, move: moveReport, release: 'not finished' },
        { cause: error },
      );
    }
  }
  const releaseUrl = released?.url;
  return {
    outputs: {
      'from-digest': fromDigest,
      'to-digest': toDigest,
      'to-tag': toTag,
      'audit-tag': audit.tag,
      'release-url': releaseUrl ?? '',
    },
    summary: summarize(outcome, inputs, release, released, warnings),
    warnings,
  };
}

/** Lists the history tags and reads their stamps; resolves the digests of the stamped ones. */
async function readHistory(
  client: RegistryClient,
  repo: RepositoryReference,
  inputs: Inputs,
): Promise<{ stamped: StampedEntry[]; rows: HistoryRow[]; tags: Set<string> }> {
  const tags = await client.listTags(repo);
  const selection = selectRollbackHistory({
    tags,
    isHistoryTag: (tag) => inputs.history.matches(tag),
    moved: [inputs.track, ...inputs.also],
    auditTemplate: inputs.auditTemplate,
    stampTemplates: inputs.historyTemplates,
  });
  const rows: HistoryRow[] = selection.skipped.map(({ tag, reason }) => ({ tag, verdict: reason }));
  const toResolve = selection.stamped;
  const stamped: StampedEntry[] = [];
  const limit = pLimit(4);
  const digests = await Promise.all(toResolve.map((entry) => limit(() => resolveDigestIfExists(client, { ...repo, tag: entry.tag }))));
  for (const [index, entry] of toResolve.entries()) {
    const digest = digests[index];
    if (digest === undefined) rows.push({ tag: entry.tag, stampTime: entry.stampTime, verdict: 'skipped: the tag vanished while the history was read' });
    else stamped.push({ ...entry, digest });
  }
  return { stamped, rows, tags: new Set(tags) };
}

function noStampReason(inputs: Inputs, unstamped: number): string {
  const form = inputs.historyTemplates.join(' or ');
  return unstamped === 0
    ? `no rollback target: no tag matches the history glob ${inputs.history.pattern}`
    : `no rollback target: none of the ${unstamped} tags matching ${inputs.history.pattern} has a stamp of the form ${form}`;
}

function newestFirst(entries: readonly StampedEntry[]): StampedEntry[] {
  return [...entries].sort((a, b) => b.stampTime.getTime() - a.stampTime.getTime());
}

function iso(date: Date | undefined): string {
  return date ? date.toISOString().replace('.000Z', 'Z') : '—';
}

function summarize(
  outcome: RollbackOutcome,
  inputs: Inputs,
  release: PreparedRollbackRelease | undefined,
  released: RollbackReleaseResult | undefined,
  warnings: readonly string[],
): string {
  const code = (text: string) => `\`${text}\``;
  const moved = [...outcome.auditReport.targets, ...outcome.moveReport.targets].map((target) => [
    code(target.tag),
    target.before ?? '(none)',
    target.after ?? (outcome.dryRun ? '(dry run)' : '(not read)'),
    target.status,
  ]);
  const shaSource =
    outcome.audit.source === 'stamp'
      ? `\`{sha}\` is ${code(outcome.audit.sha)}, from the stamp of ${code(outcome.audit.fromTag ?? '')}`
      : `\`{sha}\` is ${code(outcome.audit.sha)}, the first 7 hex digits of the replaced digest: no history stamp names it`;
  const lines = [
    `## rollback ${outcome.dryRun ? '(dry run) ' : ''}${code(`${outcome.repository}:${outcome.track}`)}\n\n`,
    `From ${code(outcome.fromDigest)} to ${code(outcome.toDigest)}${outcome.toTag ? ` (${code(outcome.toTag)})` : ''}.\n\n`,
    `**Why:** ${escapeMarkdown(outcome.reason)}.\n\n`,
    `**Audit tag:** ${code(outcome.audit.tag)} on the replaced build ${code(outcome.fromDigest)}; ${shaSource}.\n\n`,
    markdownTable(['tag', 'before', 'after', 'status'], moved),
    `\n### History considered (${code(inputs.history.pattern)}, read as ${inputs.historyTemplates.map(code).join(' or ')})\n\n`,
    outcome.history.length === 0
      ? 'No tag matches.\n'
      : markdownTable(
          ['tag', 'stamp time', 'digest', 'verdict'],
          outcome.history.map((row) => [code(row.tag), iso(row.stampTime), row.digest ? code(row.digest) : '—', row.verdict]),
        ),
  ];
  if (outcome.verification?.verified) {
    lines.push(`\n**Signed by:**\n\n${outcome.verification.signers.map((signer) => `- ${signer}`).join('\n') || '- (verified)'}\n`);
  } else if (outcome.verification) {
    lines.push('\n> [!WARNING]\n> Signature verification failed; rolled back anyway because require-signature is false.\n');
  } else {
    lines.push('\n> [!WARNING]\n> No signature verification was configured for this rollback.\n');
  }
  if (warnings.length > 0) lines.push(`\n**Warnings:**\n\n${warnings.map((warning) => `- ${escapeMarkdown(warning)}`).join('\n')}\n`);
  if (released) {
    lines.push(`\n**Releases:**\n\n${released.lines.map((line) => `- ${line}`).join('\n') || '- none changed'}\n`);
  } else if (release) {
    lines.push(`\n**Releases (dry run, nothing written on GitHub):**\n\n${release.plan.map((line) => `- ${escapeMarkdown(line)}`).join('\n') || '- none'}\n`);
  }
  return lines.join('');
}
