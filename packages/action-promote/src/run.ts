import { createActionRegistryClient, markdownTable } from '@tagwright/action-kit';
import type { ActionResult, ActionRuntime, DigestVerifier, VerificationOutcome } from '@tagwright/action-kit';
import { renderStamp } from '@tagwright/core/policy';
import { promote } from '@tagwright/core/promote';
import type { CopyImage, PromoteReport } from '@tagwright/core/promote';
import { copyImage, formatReference } from '@tagwright/core/registry';
import type { RegistryClient, RequestEvent } from '@tagwright/core/registry';
import type { Inputs } from './inputs.js';

/** What promote needs from the outside world. */
export interface Deps {
  registryClient(inputs: Inputs, onRequest: (event: RequestEvent) => void): RegistryClient;
  /**
   * Compiles the verification policy and loads trust before any request; the verifier it returns
   * throws to refuse the promotion. Loaded lazily (sigstore is heavy).
   */
  prepareVerifier(inputs: Inputs): Promise<DigestVerifier>;
  /** Copies blobs and child manifests into another repository; loaded lazily. */
  copyImage(): Promise<CopyImage>;
  /** Creates or updates the GitHub release after promotion; returns its URL. Loaded lazily. */
  release(inputs: Inputs, report: PromoteReport, verification: VerificationOutcome | null): Promise<string | undefined>;
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
    prepareVerifier: async (inputs) => (await import('./verify.js')).prepareVerifier(inputs.verification, runtime),
    copyImage: async () => copyImage,
    release: async (inputs, report, verification) =>
      (await import('./release.js')).publishRelease(inputs, report, verification, runtime),
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
  const counters = { requests: 0 };
  const client = deps.registryClient(inputs, () => {
    counters.requests++;
  });
  const crossRepository =
    inputs.destination.registry !== inputs.source.registry || inputs.destination.repository !== inputs.source.repository;
  const warnings: string[] = [];
  let verification: VerificationOutcome | null = null;
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
    ...(crossRepository ? { copyImage: await deps.copyImage() } : {}),
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
  const releaseUrl = inputs.dryRun ? undefined : await deps.release(inputs, report, verification);
  const destination = formatReference(inputs.destination);
  return {
    outputs: {
      digest: report.digest,
      tags: report.targets.map((target) => `${destination}:${target.tag}`).join('\n'),
      previous: Object.fromEntries(report.targets.map((target) => [target.tag, target.before])),
      verified: verification ? (verification as VerificationOutcome).detail ?? null : null,
      'release-url': releaseUrl ?? '',
      requests: counters.requests,
      'bytes-copied': report.copy?.bytesCopied ?? 0,
    },
    summary: summarize(report, verification, counters.requests, releaseUrl),
    warnings,
  };
}

function summarize(report: PromoteReport, verification: VerificationOutcome | null, requests: number, releaseUrl?: string): string {
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
  if (releaseUrl) lines.push(`\nRelease: ${releaseUrl}\n`);
  return lines.join('');
}
