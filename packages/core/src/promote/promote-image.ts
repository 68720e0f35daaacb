import type { BuiltCommit } from '../policy/built-commit.js';
import { renderStamp, validateStampTemplate } from '../policy/stamp.js';
import type { RegistryClient } from '../registry/client.js';
import { formatReference } from '../registry/reference.js';
import type { ImageReference, RepositoryReference } from '../registry/reference.js';
import { afterTagsMoved } from '../release/after-move.js';
import type { CopiedSignatures } from '../sigstore/storage.js';
import type { VerificationSummary } from '../release/after-move.js';
import type { PreparedRelease, ReleaseOutcome } from '../release/release.js';
import { refuseDowngrades } from './downgrade.js';
import { promote } from './promote.js';
import type { CopyImage, PromoteReport } from './promote.js';
import { builtCommitReader } from './revision.js';

/** What a promotion is asked to do. */
export interface PromoteImageRequest {
  /** The image to promote, by tag or digest. */
  source: ImageReference;
  /** The repository the targets live in (the source repository, or another: then the image is copied). */
  destination: RepositoryReference;
  /** Target tags; a tag with `{` is a stamp template rendered with `now` and the built commit ({@link renderStamp}). */
  targets: readonly string[];
  /**
   * The commit for `{sha}` and the release's target commit when given explicitly (it wins, and no
   * request reads the image's revision); empty or absent: the source image's
   * `org.opencontainers.image.revision`, else `workflowCommit` ({@link builtCommit}).
   */
  sha?: string;
  /** The workflow's commit (`github.sha`), the last resort for the built commit. */
  workflowCommit?: string;
  /** Copy the legacy `.sig` signature and the Sigstore bundle referrers along on a cross-repository promotion. */
  copySignatures: boolean;
  /** Plan only: resolve and report, write nothing. */
  dryRun: boolean;
  /** The time of the promotion (stamp templates). */
  now: Date;
  /**
   * The version promoted, as a version tag (`1.2.1`), from the source tag or the `version` input;
   * absent when unknown (then no downgrade check can run).
   */
  sourceVersion?: string;
  /** Allow moving a floating version tag (`latest`, `X`, `X.Y`) to a lower version than it holds. */
  allowDowngrade?: boolean;
}

/** What a promotion needs from the outside world. */
export interface PromoteImagePorts<V extends VerificationSummary> {
  /** The registry client (reaching source and destination). */
  client: RegistryClient;
  /**
   * Compiles the verification policy and loads trust before any request; returns the verifier of a
   * source digest, which throws to refuse the promotion. Absent: no verification configured.
   */
  prepareVerifier?(): Promise<(digest: string) => Promise<V>>;
  /**
   * Decides the release and writes its notes before any tag moves; undefined when none is requested.
   * `commit` gives the built commit (read on the first call only: call it when the release's tag must
   * be created, or its name is a stamp with `{sha}`).
   */
  prepareRelease?(commit: () => Promise<BuiltCommit>): Promise<PreparedRelease | undefined>;
  /** Copies blobs and child manifests into another repository (loaded only on that path). */
  copyImage(): Promise<CopyImage>;
  /** Copies a digest's signatures into the destination. */
  copySignatures(source: RepositoryReference, destination: RepositoryReference, digest: string): Promise<CopiedSignatures>;
  /** Progress lines. */
  onProgress?(message: string): void;
}

/** What a promotion did (or would do, in a dry run). */
export interface PromoteImageReport<V extends VerificationSummary> {
  /** The registry side: the digest, every target before and after. */
  promotion: PromoteReport;
  /** The verification of the source digest; null when none was configured. */
  verification: V | null;
  /** The signatures copied on a cross-repository promotion. */
  signatures?: CopiedSignatures;
  /** The release as prepared; absent when none was requested. */
  release?: PreparedRelease;
  /** The release as written; absent in a dry run or without a release. */
  released?: ReleaseOutcome;
  /**
   * The commit `{sha}` and the release used, and where it came from (the `sha` input, the image's
   * revision, or the workflow's commit with a note); absent when nothing needed one.
   */
  commit?: BuiltCommit;
  /** Things the user should know. */
  warnings: string[];
}

/**
 * Promotes an image to target tags, with its release: renders stamp targets, prepares the verifier and
 * the release (notes written) before any request, verifies the source digest before the first write,
 * copies the image and its signatures side by side into another repository, writes every target with the
 * same manifest bytes and re-reads it ({@link promote}), then publishes the release ({@link afterTagsMoved}).
 *
 * @param request - see {@link PromoteImageRequest}.
 * @param ports - see {@link PromoteImagePorts}.
 * @returns the report.
 * @throws {@link PartialMutationError} when the tags moved and the release failed, or a write failed part way.
 * @throws the verifier's error to refuse the promotion (nothing written).
 * @throws {@link PolicyError} `DOWNGRADE` when a floating version tag would move to a lower version
 *   and `allowDowngrade` is not set (nothing written).
 */
export async function promoteImage<V extends VerificationSummary>(request: PromoteImageRequest, ports: PromoteImagePorts<V>): Promise<PromoteImageReport<V>> {
  const { client } = ports;
  const { now } = request;
  const { source, destination } = request;
  // {sha} is the built commit: the explicit sha, else the image's revision, read only when needed and
  // then from the source manifest promote reads anyway (or first by the release, from the reference).
  const commit = builtCommitReader(client, source, { ...(request.sha !== undefined ? { sha: request.sha } : {}), ...(request.workflowCommit !== undefined ? { workflowCommit: request.workflowCommit } : {}) });
  const usesSha = (target: string): boolean => target.includes('{') && validateStampTemplate(target).placeholders.includes('sha');
  const render = (target: string, sha: string): string => (target.includes('{') ? renderStamp(target, { now, sha }) : target);
  const targets = request.targets.filter((target) => !usesSha(target)).map((target) => render(target, ''));
  const shaTargets = request.targets.filter(usesSha);
  const verifier = ports.prepareVerifier ? await ports.prepareVerifier() : undefined;
  const release = ports.prepareRelease ? await ports.prepareRelease(() => commit.get()) : undefined;
  const crossRepository = destination.registry !== source.registry || destination.repository !== source.repository;
  const warnings: string[] = [];
  let verification: V | null = null;
  let signatures: CopiedSignatures | undefined;
  if (!verifier) {
    warnings.push(`promoting ${formatReference(source)} without signature verification: give certificate-identity and certificate-oidc-issuer, or key`);
  }
  if (request.sourceVersion !== undefined && request.allowDowngrade !== true) {
    await refuseDowngrades(client, destination, targets, request.sourceVersion, `promote ${formatReference(source)}`);
  }
  const copyImage: CopyImage | undefined = crossRepository ? await ports.copyImage() : undefined;
  const promotion = await promote({
    client,
    source,
    destination,
    targets,
    ...(shaTargets.length > 0
      ? { lateTargets: async (manifest) => { const { sha } = await commit.get(manifest); return shaTargets.map((target) => render(target, sha)); } }
      : {}),
    dryRun: request.dryRun,
    ...(copyImage
      ? {
          copyImage: async (copyClient, from, to, root) => {
            // The image and its signatures are independent artifacts: copy them side by side. Both settle
            // before a failure is reported, so no write is still running when the partial report is printed.
            const [figures, copied] = await Promise.allSettled([
              copyImage(copyClient, from, to, root),
              request.copySignatures ? ports.copySignatures(from, to, root.digest) : undefined,
            ]);
            if (copied.status === 'fulfilled' && copied.value) signatures = copied.value;
            if (figures.status === 'rejected') throw figures.reason;
            if (copied.status === 'rejected') throw copied.reason;
            return figures.value;
          },
        }
      : {}),
    ...(verifier
      ? {
          verify: async (digest: string) => {
            verification = await verifier(digest);
            return verification;
          },
        }
      : {}),
    ...(ports.onProgress ? { onProgress: ports.onProgress } : {}),
  });
  // The tags have moved: a release failure says so, so that a re-run (idempotent) or a manual release finishes the job.
  const released =
    release && !request.dryRun
      ? await afterTagsMoved(() => release.publish(promotion, verification), {
          message: (cause) => `create the GitHub release ${release.tag}: ${cause} (the promotion itself succeeded; re-run to retry the release)`,
          report: { promoted: promotion, release: { tag: release.tag, created: false } },
        })
      : undefined;
  return {
    promotion,
    verification,
    ...(signatures ? { signatures } : {}),
    ...(release ? { release } : {}),
    ...(released ? { released } : {}),
    ...(commit.decided ? { commit: commit.decided } : {}),
    warnings,
  };
}
