import { createActionRegistryClient, escapeMarkdown, markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime, DigestVerifier, VerificationOutcome } from '@tagwright/action-kit';
import { renderStamp } from '@tagwright/core/policy';
import { promote } from '@tagwright/core/promote';
import type { CopyImage, PromoteReport } from '@tagwright/core/promote';
import { copyImage, formatReference } from '@tagwright/core/registry';
import type { RegistryClient, RepositoryReference, RequestEvent } from '@tagwright/core/registry';
import { afterTagsMoved } from '@tagwright/core/release';
import type { PreparedRelease, ReleaseOutcome } from '@tagwright/core/release';
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
   * Loaded lazily (octokit is heavy).
   */
  prepareRelease(inputs: Inputs): Promise<PreparedRelease | undefined>;
  now(): Date;
  info(message: string): void;
}

/** The real deps for a workflow run. */
export function createDeps(runtime: ActionRuntime): Deps {
  return {
    registryClient: (inputs, onRequest) =>
      createActionRegistryClient(inputs.registry, [inputs.source.registry, inputs.destination.registry], runtime, {
        userAgent: 'tagwright-promote',
        onRequest,
      }),
    prepareVerifier: async (inputs) => (await import('@tagwright/action-kit/verification')).prepareVerifier(inputs.verification, runtime),
    copyImage: async () => copyImage,
    copySignatures: async (client, source, destination, digest) =>
      (await import('./signatures.js')).copySignatures(client, source, destination, digest),
    prepareRelease: async ({ release, releaseVersion, sha, verification }) => {
      if ((release.mode === 'none' && !release.publishDraft) || releaseVersion === undefined) return undefined;
      // octokit and git live behind these imports, off the main path.
      const [{ createReleasePorts }, { prepareRelease }] = await Promise.all([import('@tagwright/action-kit/github'), import('@tagwright/core/release')]);
      const ports = createReleasePorts(runtime, { token: release.githubToken, userAgent: 'tagwright-promote' });
      return prepareRelease({ release, version: releaseVersion, sha, verification }, ports);
    },
    now: () => runtime.now(),
    info: (message) => runtime.info(message),
  };
}

/**
 * Promotes the source digest to every target: verify (when configured) before the first write,
 * write each target with the same manifest bytes, re-read every target, then the release.
 */
export async function run(inputs: Inputs, deps: Deps): Promise<ActionResult> {
  const now = deps.now();
  const targets = inputs.targets.map((target) => (target.includes('{') ? renderStamp(target, { now, sha: inputs.sha }) : target));
  const verifier = inputs.verification.configured ? await deps.prepareVerifier(inputs) : undefined;
  const release = await deps.prepareRelease(inputs);
  const counters = { requests: 0 };
  const client = deps.registryClient(inputs, () => {
    counters.requests++;
  });
  const crossRepository =
    inputs.destination.registry !== inputs.source.registry || inputs.destination.repository !== inputs.source.repository;
  const warnings: string[] = [];
  let verification: VerificationOutcome | null = null;
  let signatures: { signatureTag?: string; referrers: string[] } | undefined;
  if (!inputs.verification.configured) {
    warnings.push(
      `promoting ${formatReference(inputs.source)} without signature verification: give certificate-identity and certificate-oidc-issuer, or key`,
    );
  }
  const report = await promote({
    client,
    source: inputs.source,
    destination: inputs.destination,
    targets,
    dryRun: inputs.dryRun,
    ...(crossRepository ? { copyImage: await copyWithSignatures(deps, inputs, (copied) => (signatures = copied)) } : {}),
    ...(verifier
      ? {
          verify: async (digest: string) => {
            verification = await verifier(client, { ...inputs.source, digest });
            return verification;
          },
        }
      : {}),
    onProgress: deps.info,
  });
  // The tags have moved: a release failure says so, so that a re-run (idempotent) or a manual release finishes the job.
  const released: ReleaseOutcome | undefined =
    release && !inputs.dryRun
      ? await afterTagsMoved(() => release.publish(report, verification), {
          message: (cause) => `create the GitHub release ${release.tag}: ${cause} (the promotion itself succeeded; re-run to retry the release)`,
          report: { promoted: report, release: { tag: release.tag, created: false } },
        })
      : undefined;
  const destination = formatReference(inputs.destination);
  return {
    outputs: {
      digest: report.digest,
      tags: report.targets.map((target) => `${destination}:${target.tag}`).join('\n'),
      previous: Object.fromEntries(report.targets.map((target) => [target.tag, target.before])),
      verified: verification ? (verification as VerificationOutcome).detail ?? null : null,
      'release-url': released?.url ?? '',
      requests: counters.requests,
      'bytes-copied': report.copy?.bytesCopied ?? 0,
    },
    summary:
      summarize(report, verification, counters.requests, release, released) +
      (signatures
        ? `\nSignatures copied into \`${destination}\`: ${signatures.signatureTag ? `\`${signatures.signatureTag}\`` : 'no legacy signature'}, ${signatures.referrers.length} bundle referrer(s).\n`
        : ''),
    warnings,
  };
}

/**
 * The copy step of a cross-repository promotion: blobs and child manifests, then (unless
 * `copy-signatures: false`) the signatures, all before the first tag is written.
 */
async function copyWithSignatures(
  deps: Deps,
  inputs: Inputs,
  onSignatures: (copied: { signatureTag?: string; referrers: string[] }) => void,
): Promise<CopyImage> {
  const copy = await deps.copyImage();
  return async (client, source, destination, root) => {
    // The image and its signatures are independent artifacts: copy them side by side. Both settle
    // before a failure is reported, so no write is still running when the partial report is printed.
    const [figures, signatures] = await Promise.allSettled([
      copy(client, source, destination, root),
      inputs.copySignatures ? deps.copySignatures(client, source, destination, root.digest) : undefined,
    ]);
    if (signatures.status === 'fulfilled' && signatures.value) onSignatures(signatures.value);
    if (figures.status === 'rejected') throw figures.reason;
    if (signatures.status === 'rejected') throw signatures.reason;
    return figures.value;
  };
}

function summarize(
  report: PromoteReport,
  verification: VerificationOutcome | null,
  requests: number,
  release: PreparedRelease | undefined,
  released: ReleaseOutcome | undefined,
): string {
  const lines = [
    `## promote ${report.dryRun ? '(dry run) ' : ''}\`${report.source}\` → \`${report.destination}\`\n`,
    `Digest \`${report.digest}\` (${report.mediaType}).\n`,
    markdownTable(
      ['target', 'before', 'after', 'status'],
      report.targets.map((t) => [`\`${t.tag}\``, t.before ?? '(none)', t.after ?? (report.dryRun ? '(dry run)' : '(not read)'), t.status]),
    ),
  ];
  if (verification) lines.push(`\n**Signed by:**\n\n${(verification as VerificationOutcome).signers.map((s) => `- ${s}`).join('\n')}\n`);
  else lines.push('\n> [!WARNING]\n> No signature verification was configured for this promotion.\n');
  if (report.copy) {
    lines.push(
      `\nCopied into another repository: ${report.copy.blobsMounted} blobs mounted, ${report.copy.blobsCopied} copied (${report.copy.bytesCopied} bytes), ${report.copy.blobsPresent} already present, ${report.copy.manifestsWritten} manifests written.\n`,
    );
  }
  lines.push(`\n${requests} registry requests.\n`);
  if (released) {
    const state = released.draft ? 'draft' : 'published';
    lines.push(
      `\n**Release:** [${escapeMarkdown(released.tag)}](${released.url}) ${released.change} (${state}${released.draft ? '' : `, make_latest ${released.makeLatest}`}); notes from ${escapeMarkdown(released.notesSource)}${released.previous ? `, previous release ${escapeMarkdown(released.previous)}` : ', first release'}.\n`,
    );
  } else if (release) {
    lines.push(
      `\n**Release (dry run):** ${escapeMarkdown(release.tag)} would be ${release.action === 'publish-draft' ? 'published from its draft' : release.action === 'already-published' ? 'left as published' : 'created or updated'} (make_latest ${release.makeLatest}); notes from ${escapeMarkdown(release.notesSource)}.\n`,
    );
  }
  return lines.join('');
}
