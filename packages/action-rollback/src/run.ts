import { createActionRegistryClient, escapeMarkdown, markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime, DigestVerifier, VerificationInputs, VerificationOutcome } from '@tagwright/action-kit';
import type { RollbackHistoryRow } from '@tagwright/core/policy';
import type { RegistryClient, RepositoryReference } from '@tagwright/core/registry';
import { rollback } from '@tagwright/core/rollback';
import type { PreparedRollbackRelease, RollbackReleaseContext, RollbackReport } from '@tagwright/core/rollback';
import type { Inputs } from './inputs.js';

export type { VerificationOutcome };

/** One history tag as the summary shows it. */
export type HistoryRow = RollbackHistoryRow;

/** What a rollback did (or would do, in a dry run). */
export type RollbackOutcome = RollbackReport<VerificationOutcome>;

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
   * Prepares the release side before anything moves (reads only): the versions of the two digests,
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
    (verifier ??= import('@tagwright/action-kit/verification').then((module) => module.prepareVerifier(verification, runtime)));
  return {
    registryClient: (inputs) =>
      createActionRegistryClient(inputs.registry, [inputs.image.registry], runtime, { userAgent: 'tagwright-rollback' }),
    prepareVerify: async (verification) => {
      await prepare(verification);
    },
    verify: async (client, verification, repository, digest) => (await prepare(verification))(client, { ...repository, digest }),
    release: async ({ release, verification }, context) => {
      if (release.mode === 'none') return undefined;
      // octokit and git live behind these imports, off the main path.
      const [{ createReleasePorts }, { prepareRollbackRelease }] = await Promise.all([
        import('@tagwright/action-kit/github'),
        import('@tagwright/core/rollback/release'),
      ]);
      const ports = await createReleasePorts(runtime, { token: release.githubToken, userAgent: 'tagwright-rollback', forge: release.forge });
      return prepareRollbackRelease({ release, ...(release.version !== undefined ? { version: release.version } : {}), verification }, context, ports);
    },
    now: () => runtime.now(),
    info: (message) => runtime.info(message),
  };
}

/**
 * Maps the inputs to one core `rollback` (read the history, plan, verify, audit tag, move, releases)
 * and its report to the outputs and the summary.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const client = deps.registryClient(inputs);
  const repository: RepositoryReference = { registry: inputs.image.registry, repository: inputs.image.repository };
  const { prepareVerify } = deps;
  const outcome = await rollback<VerificationOutcome>(
    {
      image: repository,
      track: inputs.track,
      also: inputs.also,
      history: { pattern: inputs.history.pattern, matches: (tag) => inputs.history.matches(tag), stampTemplates: inputs.historyTemplates },
      ...(inputs.to ? { to: inputs.to } : {}),
      auditTemplate: inputs.auditTemplate,
      ...(inputs.runAttempt !== undefined ? { runAttempt: inputs.runAttempt } : {}),
      dryRun: inputs.dryRun,
      now: deps.now(),
    },
    {
      client,
      ...(inputs.verification.configured
        ? {
            ...(prepareVerify ? { prepareVerify: () => prepareVerify(inputs.verification) } : {}),
            verify: (digest: string) => deps.verify(client, inputs.verification, repository, digest),
          }
        : {}),
      release: (context) => deps.release(inputs, context),
      onProgress: deps.info,
    },
  );
  return {
    outputs: {
      'from-digest': outcome.fromDigest,
      'to-digest': outcome.toDigest,
      'to-tag': outcome.toTag,
      'audit-tag': outcome.audit.tag,
      'release-url': outcome.released?.url ?? '',
    },
    summary: summarize(outcome, inputs),
    warnings: outcome.warnings,
  };
}

function iso(date: Date | undefined): string {
  return date ? date.toISOString().replace('.000Z', 'Z') : '—';
}

function summarize(outcome: RollbackOutcome, inputs: Inputs): string {
  const { release, released, warnings } = outcome;
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
      : outcome.audit.source === 'revision'
        ? `\`{sha}\` is ${code(outcome.audit.sha)}, from the replaced image's ${code('org.opencontainers.image.revision')}: no history stamp names it`
        : `\`{sha}\` is ${code(outcome.audit.sha)}, the first 7 hex digits of the replaced digest: no history stamp names it and the image has no revision label`;
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
