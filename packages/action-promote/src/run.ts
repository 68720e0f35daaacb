import { createActionRegistryClient, escapeMarkdown, markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime, DigestVerifier, VerificationOutcome } from '@tagwright/action-kit';
import { promoteImage, promoteSet } from '@tagwright/core/promote';
import type { CopyImage, PromoteReport, PromoteSetReport, SetSource } from '@tagwright/core/promote';
import { PartialMutationError } from '@tagwright/core/errors';
import { copyImage, formatReference } from '@tagwright/core/registry';
import type { RegistryClient, RepositoryReference, RequestEvent } from '@tagwright/core/registry';
import type { PreparedRelease, ReleaseOutcome, ReleaseStoreCapabilities } from '@tagwright/core/release';
import type { BuiltCommit } from '@tagwright/core/policy';
import type { Inputs } from './inputs.js';

/** What promote needs from the outside world. */
export interface Deps {
  registryClient(inputs: Inputs, onRequest: (event: RequestEvent) => void): RegistryClient;
  /**
   * Compiles the verification policy and loads trust before any request; the verifier it returns
   * throws to refuse the promotion. Loaded lazily (sigstore is heavy).
   */
  prepareVerifier(inputs: Inputs): Promise<DigestVerifier>;
  /**
   * Copies the digest's legacy `.sig` signature and its Sigstore bundle referrers into the
   * destination, so the promoted image still verifies there. Loaded lazily.
   */
  copySignatures(
    client: RegistryClient,
    source: RepositoryReference,
    destination: RepositoryReference,
    digest: string,
  ): Promise<{ signatureTag?: string; referrers: string[] }>;
  /** Copies blobs and child manifests into another repository; loaded lazily. */
  copyImage(): Promise<CopyImage>;
  /**
   * Decides the GitHub release and writes its notes before promotion (a missing changelog section
   * fails before any tag moves); its `publish` runs after. Undefined when no release is requested.
   * `commit` is the built commit (read only when the release's tag must be created, or `release-tag`
   * uses `{sha}`); `now` renders `release-tag`. Loaded lazily (octokit is heavy).
   */
  prepareRelease(inputs: Inputs, commit: () => Promise<BuiltCommit>, now: Date): Promise<PreparedRelease | undefined>;
  /** The workflow's commit (`GITHUB_SHA`), the last resort for `{sha}`; undefined outside a workflow run. */
  workflowCommit(): string | undefined;
  /** The `X.Y.Z` of a bare `staging.*` source: `version` of the workspace's package.json. Loaded lazily. */
  readSourceBase(): Promise<string>;
  /** What the release's forge can do, once `prepareRelease` chose it (Forgejo: no `make_latest`). */
  releaseCapabilities?(): ReleaseStoreCapabilities | undefined;
  now(): Date;
  info(message: string): void;
}

/** The real deps for a workflow run. */
export function createDeps(runtime: ActionRuntime): Deps {
  let capabilities: ReleaseStoreCapabilities | undefined;
  return {
    registryClient: (inputs, onRequest) =>
      createActionRegistryClient(inputs.registry, [inputs.source.registry, inputs.destination.registry, ...(inputs.set?.images ?? []).map((image) => image.registry)], runtime, {
        userAgent: 'tagwright-promote',
        onRequest,
      }),
    prepareVerifier: async (inputs) => (await import('@tagwright/action-kit/verification')).prepareVerifier(inputs.verification, runtime),
    copyImage: async () => copyImage,
    copySignatures: async (client, source, destination, digest) =>
      (await import('./signatures.js')).copySignatures(client, source, destination, digest),
    prepareRelease: async ({ release, releaseVersion, releaseTag, verification, gates }, commit, now) => {
      if ((release.mode === 'none' && !release.publishDraft) || (releaseVersion === undefined && releaseTag === undefined)) return undefined;
      // octokit and git live behind these imports, off the main path.
      const [{ createReleasePorts }, { prepareRelease, stampReleaseTag }] = await Promise.all([import('@tagwright/action-kit/github'), import('@tagwright/core/release')]);
      const ports = await createReleasePorts(runtime, { token: release.githubToken, userAgent: 'tagwright-promote', forge: release.forge });
      capabilities = ports.store.capabilities;
      const sha = async (): Promise<string> => (await commit()).sha;
      if (releaseTag !== undefined) {
        const tag = await stampReleaseTag(releaseTag, now, sha);
        return prepareRelease({ release, version: tag, stampTemplate: releaseTag, sha, verification, gates }, ports);
      }
      return prepareRelease({ release, version: releaseVersion as string, sha, verification, gates }, ports);
    },
    readSourceBase: async () => {
      const [{ readBaseVersion }, path] = await Promise.all([import('@tagwright/core/release'), import('node:path')]);
      const base = await readBaseVersion({ packageJsonPath: path.resolve(runtime.context.workspace ?? '.', 'package.json') });
      return base.replace(/^v/, '');
    },
    releaseCapabilities: () => capabilities,
    workflowCommit: () => runtime.context.sha,
    now: () => runtime.now(),
    info: (message) => runtime.info(message),
  };
}

/**
 * Maps the inputs to one core `promoteImage` (verify before the first write, copy into another
 * repository with the signatures, write and re-read every target, then the release) and its report to
 * the outputs and the summary.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const counters = { requests: 0 };
  const client = deps.registryClient(inputs, () => {
    counters.requests++;
  });
  if (inputs.set) return runSet(inputs, inputs.set, client, counters, deps);
  const now = deps.now();
  const workflowCommit = deps.workflowCommit();
  const outcome = await promoteImage<VerificationOutcome>(
    {
      source: inputs.source,
      destination: inputs.destination,
      targets: inputs.targets,
      ...(inputs.sha !== undefined ? { sha: inputs.sha } : {}),
      ...(workflowCommit !== undefined ? { workflowCommit } : {}),
      copySignatures: inputs.copySignatures,
      dryRun: inputs.dryRun,
      now,
      ...(inputs.sourceVersion !== undefined ? { sourceVersion: inputs.sourceVersion } : {}),
      allowDowngrade: inputs.allowDowngrade,
    },
    {
      client,
      ...(inputs.verification.configured
        ? {
            prepareVerifier: async () => {
              const verifier = await deps.prepareVerifier(inputs);
              return (digest: string) => verifier(client, { ...inputs.source, digest });
            },
          }
        : {}),
      prepareRelease: (commit) => deps.prepareRelease(inputs, commit, now),
      copyImage: () => deps.copyImage(),
      copySignatures: (source, destination, digest) => deps.copySignatures(client, source, destination, digest),
      onProgress: deps.info,
    },
  );
  const { promotion: report, verification, signatures, release, released } = outcome;
  const destination = formatReference(inputs.destination);
  return {
    outputs: {
      digest: report.digest,
      tags: report.targets.map((target) => `${destination}:${target.tag}`).join('\n'),
      previous: Object.fromEntries(report.targets.map((target) => [target.tag, target.before])),
      verified: verification ? verification.detail ?? null : null,
      'release-url': released?.url ?? '',
      requests: counters.requests,
      'bytes-copied': report.copy?.bytesCopied ?? 0,
    },
    summary:
      summarize(report, verification, counters.requests, release, released, deps.releaseCapabilities?.()) +
      summarizeCommit(outcome.commit) +
      (signatures
        ? `\nSignatures copied into \`${destination}\`: ${signatures.signatureTag ? `\`${signatures.signatureTag}\`` : 'no legacy signature'}, ${signatures.referrers.length} bundle referrer(s).\n`
        : ''),
    warnings: outcome.warnings,
  };
}

function summarize(
  report: PromoteReport,
  verification: VerificationOutcome | null,
  requests: number,
  release: PreparedRelease | undefined,
  released: ReleaseOutcome | undefined,
  capabilities?: ReleaseStoreCapabilities,
): string {
  // Forgejo has no make_latest: say what "latest" means there instead of a setting that was not sent.
  const latest = (makeLatest: string): string =>
    capabilities && !capabilities.makeLatest ? (capabilities.latestExplanation ?? 'this forge decides which release is latest').replace(/\.$/, '') : `make_latest ${makeLatest}`;
  const lines = [
    `## promote ${report.dryRun ? '(dry run) ' : ''}\`${report.source}\` → \`${report.destination}\`\n`,
    `Digest \`${report.digest}\` (${report.mediaType}).\n`,
    markdownTable(
      ['target', 'before', 'after', 'status'],
      report.targets.map((t) => [`\`${t.tag}\``, t.before ?? '(none)', t.after ?? (report.dryRun ? '(dry run)' : '(not read)'), t.status]),
    ),
  ];
  if (verification) lines.push(`\n**Signed by:**\n\n${verification.signers.map((s) => `- ${s}`).join('\n')}\n`);
  else lines.push('\n> [!WARNING]\n> No signature verification was configured for this promotion.\n');
  if (report.copy) {
    lines.push(
      `\nCopied into another repository: ${report.copy.blobsMounted} blobs mounted, ${report.copy.blobsCopied} copied (${report.copy.bytesCopied} bytes), ${report.copy.blobsPresent} already present, ${report.copy.manifestsWritten} manifests written.\n`,
    );
  }
  lines.push(`\n${requests} registry requests.\n`);
  lines.push(summarizeGates(release));
  if (released) {
    const state = released.draft ? 'draft' : 'published';
    lines.push(
      `\n**Release:** [${escapeMarkdown(released.tag)}](${released.url}) ${released.change} (${state}${released.draft ? '' : `, ${latest(released.makeLatest)}`}); notes from ${escapeMarkdown(released.notesSource)}${released.previous ? `, previous release ${escapeMarkdown(released.previous)}` : ', first release'}.\n`,
    );
  } else if (release) {
    lines.push(
      `\n**Release (dry run):** ${escapeMarkdown(release.tag)} would be ${release.action === 'publish-draft' ? 'published from its draft' : release.action === 'already-published' ? 'left as published' : 'created or updated'} (${latest(release.makeLatest)}); notes from ${escapeMarkdown(release.notesSource)}.\n`,
    );
  }
  return lines.join('');
}

/**
 * A release set: core `promoteSet` (pick the common build, plan and verify every image before the first
 * write, write concurrently, put every moved target back on a failure), its report to the outputs and
 * the summary. A failed set still prints its per-image report before the error.
 */
async function runSet(
  inputs: Inputs,
  set: { images: RepositoryReference[]; source: SetSource },
  client: RegistryClient,
  counters: { requests: number },
  deps: Deps,
): Promise<ActionResult> {
  let source = set.source;
  if (source.kind === 'pattern' && !/^\d/.test(source.pattern) && source.base === undefined) {
    source = { ...source, base: await deps.readSourceBase() };
  }
  let report: PromoteSetReport<VerificationOutcome>;
  try {
    const now = deps.now();
    const workflowCommit = deps.workflowCommit();
    report = await promoteSet<VerificationOutcome>(
      {
        images: set.images,
        source,
        targets: inputs.targets,
        ...(inputs.sha !== undefined ? { sha: inputs.sha } : {}),
        ...(workflowCommit !== undefined ? { workflowCommit } : {}),
        ...(inputs.sourceVersion !== undefined ? { version: inputs.sourceVersion } : {}),
        allowDowngrade: inputs.allowDowngrade,
        dryRun: inputs.dryRun,
        now,
      },
      {
        client,
        ...(inputs.verification.configured
          ? {
              prepareVerifier: async () => {
                const verifier = await deps.prepareVerifier(inputs);
                return (image: RepositoryReference, digest: string) => verifier(client, { ...image, digest });
              },
            }
          : {}),
        prepareRelease: (commit) => deps.prepareRelease(inputs, commit, now),
        onProgress: deps.info,
      },
    );
  } catch (error: unknown) {
    if (error instanceof PartialMutationError && isSetReport(error.report)) deps.info(summarizeSet(error.report, counters.requests));
    throw error;
  }
  const single = report.images.length === 1 ? report.images[0] : undefined;
  return {
    outputs: {
      digest: single?.digest ?? '',
      digests: Object.fromEntries(report.images.map((image) => [image.image, image.digest])),
      tags: report.images.flatMap((image) => image.targets.map((target) => `${image.image}:${target.tag}`)).join('\n'),
      previous: Object.fromEntries(report.images.map((image) => [image.image, Object.fromEntries(image.targets.map((target) => [target.tag, target.before]))])),
      verified: single?.verification ? single.verification.detail ?? null : null,
      'release-url': report.released?.url ?? '',
      requests: counters.requests,
      'bytes-copied': 0,
      'source-tag': report.sourceTag ?? '',
    },
    summary: summarizeSet(report, counters.requests) + summarizeCommit(report.commit),
    warnings: report.warnings,
  };
}

function isSetReport(report: unknown): report is PromoteSetReport<VerificationOutcome> {
  return typeof report === 'object' && report !== null && Array.isArray((report as { images?: unknown }).images);
}

/** The summary of a release set: the pick, then per image and tag before / attempted / after / status (and rollback). */
export function summarizeSet(report: PromoteSetReport<VerificationOutcome>, requests: number): string {
  const lines = [`## promote ${report.dryRun ? '(dry run) ' : ''}release set of ${report.images.length} image(s)\n`];
  if (report.pick) {
    lines.push(
      `\nSource pattern \`${report.pick.pattern}\`; common pick **${report.pick.pick ?? '(none)'}**.\n\n`,
      markdownTable(
        ['image', 'highest match'],
        Object.entries(report.pick.highest).map(([image, tag]) => [`\`${image}\``, tag ?? '(none)']),
      ),
    );
  } else if (report.sourceTag !== undefined) lines.push(`\nSource tag \`${report.sourceTag}\`.\n`);
  if (!report.changed && !report.dryRun) lines.push('\nEvery target already pointed at its digest: nothing was written.\n');
  if (report.rolledBack) lines.push('\n> [!CAUTION]\n> A write failed: every target that moved was put back at its previous digest (see the rollback column).\n');
  lines.push(
    '\n',
    markdownTable(
      ['image', 'target', 'before', 'attempted', 'after', 'status', ...(report.rolledBack ? ['rollback'] : [])],
      report.images.flatMap((image) =>
        image.targets.map((t) => [
          `\`${image.image}\``,
          `\`${t.tag}\``,
          t.before ?? '(none)',
          t.attempted,
          t.after ?? (report.dryRun ? '(dry run)' : '(none)'),
          t.status,
          ...(report.rolledBack ? [t.rollback ?? ''] : []),
        ]),
      ),
    ),
  );
  const verified = report.images.filter((image) => image.verification);
  if (verified.length > 0) {
    lines.push(`\n**Signed by:**\n\n${verified.map((image) => `- \`${image.image}\`: ${image.verification?.signers.join(', ')}`).join('\n')}\n`);
  } else lines.push('\n> [!WARNING]\n> No signature verification was configured for this promotion.\n');
  lines.push(`\n${requests} registry requests.\n`);
  lines.push(summarizeGates(report.release));
  if (report.released) {
    lines.push(`\n**Release:** [${escapeMarkdown(report.released.tag)}](${report.released.url}) ${report.released.change} (${report.released.draft ? 'draft' : 'published'}); notes from ${escapeMarkdown(report.released.notesSource)}.\n`);
  }
  return lines.join('');
}

/** Where `{sha}` (and the release's target commit) came from; a note when it is the workflow's commit. */
function summarizeCommit(commit: BuiltCommit | undefined): string {
  if (!commit) return '';
  const from =
    commit.from === 'sha input'
      ? 'the `sha` input'
      : commit.from === 'workflow commit'
        ? "the workflow's commit"
        : `the source image's \`${commit.from}\``;
  const line = `\n\`{sha}\` is \`${commit.sha.slice(0, 7)}\` (${commit.sha}), from ${from}.\n`;
  return commit.note ? `${line}\n> [!NOTE]\n> ${escapeMarkdown(commit.note)}: give the input sha, or build with the label (docker/metadata-action writes it).\n` : line;
}

/** The two-phase gates, each passed / failed with its reason (a failed one refused before any write). */
function summarizeGates(release: PreparedRelease | undefined): string {
  if (!release?.gates?.length) return '';
  return `\n**Release gates:**\n\n${markdownTable(
    ['gate', 'result', 'reason'],
    release.gates.map((gate) => [gate.gate, gate.passed ? 'passed' : 'failed', escapeMarkdown(gate.reason)]),
  )}`;
}
