import pLimit from 'p-limit';
import type { LimitFunction } from 'p-limit';
import { PartialMutationError, RegistryError, errorMessage } from '../errors.js';
import type { ImageReference, RawManifest, RegistryClient, RepositoryReference } from '../registry/index.js';
import { formatReference, validateTag } from '../registry/index.js';
import { resolveDigestIfExists } from '../registry/resolve.js';

/** How many target reads or writes are in flight at once. */
const TARGET_CONCURRENCY = 8;

/** What happened, or would happen, to one target tag. */
export interface TargetReport {
  /** The target tag (OCI tag grammar). */
  tag: string;
  /** The digest the tag resolved to before promotion; null when the tag did not exist. */
  before: string | null;
  /**
   * The digest it resolves to after (re-read from the registry, also when a write failed); null in a
   * dry run, or when the tag does not exist or could not be read.
   */
  after: string | null;
  /**
   * `written`: the manifest was PUT; `unchanged`: it already pointed at the digest;
   * `planned`: dry run, would be written; `failed`: the PUT or re-check failed;
   * `not-attempted`: an earlier failure stopped the run before this tag; `unknown`: a PUT was sent
   * (it may have landed) but the re-read that would tell failed, so `after` is null.
   */
  status: 'written' | 'unchanged' | 'planned' | 'failed' | 'not-attempted' | 'unknown';
  /**
   * True when the tag was written a second time: right after the first write it resolved to nothing
   * (404), because another run deleted the manifest while the tag was written onto it (a registry
   * removes a manifest and its tags in separate steps, so the tag was left pointing at nothing).
   */
  rewritten?: boolean;
}

/** The outcome of {@link promote}; also the `report` of a {@link PartialMutationError} it throws. */
export interface PromoteReport {
  /** The source as given, canonical form. */
  source: string;
  /** The destination repository, canonical form. */
  destination: string;
  /** The digest every target now resolves to (`sha256:<hex>`). */
  digest: string;
  /** The media type the manifest was served and written with (an index stays an index). */
  mediaType: string;
  targets: TargetReport[];
  dryRun: boolean;
  /** The verification hook's result, when one ran. */
  verification?: unknown;
  /** Blob and manifest copy figures when the destination is another repository. */
  copy?: CopyFigures;
}

/** What a cross-repository copy moved. */
export interface CopyFigures {
  blobsMounted: number;
  blobsCopied: number;
  blobsPresent: number;
  bytesCopied: number;
  manifestsWritten: number;
}

/**
 * Copies the manifest tree of `digest` from `source` into `destination` (blobs and, for an index,
 * child manifests by digest) without tagging it. Provided by the registry module for
 * cross-repository promotion; absent for same-repository retags.
 */
export type CopyImage = (
  client: RegistryClient,
  source: RepositoryReference,
  destination: RepositoryReference,
  root: RawManifest,
) => Promise<CopyFigures>;

/** Options of {@link promote}. */
export interface PromoteOptions {
  client: RegistryClient;
  /** The image to promote, by tag or digest. */
  source: ImageReference;
  /** Target tags, already rendered (stamp templates expanded) — validated before any request. */
  targets: readonly string[];
  /**
   * Further targets known only once the source manifest is read (stamps whose `{sha}` is the image's
   * built commit): called right after that read, concurrently with `verify` and the reads of the other
   * targets; a throw refuses the promotion (nothing is written).
   */
  lateTargets?: (manifest: RawManifest) => Promise<readonly string[]>;
  /** Repository the targets live in; default the source repository. */
  destination?: RepositoryReference;
  /** Plan only: resolve and report, write nothing. */
  dryRun?: boolean;
  /**
   * Runs after the source digest is known and before the first write; throw to refuse the
   * promotion (nothing is written). Its return value is kept in the report.
   */
  verify?: (digest: string, manifest: RawManifest) => Promise<unknown>;
  /** Required when `destination` differs from the source repository. */
  copyImage?: CopyImage;
  /** Progress lines for the caller to log. */
  onProgress?: (message: string) => void;
  /**
   * Default true: a target whose HEAD already answers the digest is not written again. False writes
   * every target (rollback: it has read the track from the manifest bytes, and a stale HEAD must not
   * turn the move into a no-op).
   */
  skipUnchanged?: boolean;
  /**
   * The source manifest, already read by the caller with {@link RegistryClient.getManifest} (raw bytes,
   * sha256-checked): it is not read again. When `source` names a digest, the manifest must have it
   * (else `DIGEST_MISMATCH`, before any request). Rollback passes the bytes it read to decide.
   */
  manifest?: RawManifest;
  /**
   * What targets held before, as the caller just read them (a digest, or null for a tag that does not
   * exist): those targets are neither listed nor read again. When every target is given, no tag listing
   * is read.
   */
  before?: Readonly<Record<string, string | null>>;
  /**
   * How each target is read back after the write: `head` (default, one `HEAD`) or `manifest` (a `GET`
   * whose bytes are sha256-checked: a stale `HEAD` cannot pass it; rollback re-reads its track so).
   */
  readBack?: 'head' | 'manifest';
}

/**
 * A promotion whose writes are done and whose re-check is still to run ({@link startPromote}).
 */
export interface PromoteWrites {
  /** The report so far: statuses `written`/`unchanged` (or `planned` in a dry run), `after` not read yet. */
  report: PromoteReport;
  /**
   * Re-reads every target (concurrently, as {@link promote} does) and fails unless all hold the digest.
   *
   * @returns the report with `after` filled in.
   * @throws PartialMutationError with the report when a target holds another digest or cannot be read.
   */
  recheck(): Promise<PromoteReport>;
}

/**
 * Promotes one digest to a set of target tags without changing it: resolves the source to one
 * manifest (raw bytes, sha256-checked), runs the verification hook, writes each target by a PUT of
 * the same bytes with the media type they were served with (an index keeps its digest and its
 * platforms; no blob is read or written within a repository), then re-resolves every target and
 * fails unless all equal the source digest.
 *
 * Reads and writes of the targets run concurrently (up to 8 at once); every write is attempted,
 * and each target's status in the report says whether it was written.
 *
 * Requests for a same-repository promotion to N new tags on a registry whose tag list is one page:
 * 1 GET of the source manifest, 1 tag listing, N PUTs, N HEADs for the re-check (2 + 2N).
 * A target that already exists costs one more HEAD to learn its previous digest; one that already
 * points at the digest is not written again (re-runs are idempotent).
 *
 * Follows the OCI distribution spec:
 * {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests | Pushing manifests}
 * and {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry | Checking if content exists}.
 *
 * @returns the {@link PromoteReport}: digest, media type, each target's before/after/status.
 * @throws InvalidReferenceError for a malformed target tag (before any request).
 * @throws RegistryError when the source cannot be resolved (nothing written).
 * @throws whatever `verify` throws (nothing written).
 * @throws PartialMutationError with the report when a write or the re-check fails part way.
 *
 * @example
 * ```ts
 * const report = await promote({
 *   client: createRegistryClient(),
 *   source: parseReference('ghcr.io/acme/app:1.4.0'),
 *   targets: ['prod', renderStamp('prod-{date}-{sha}', { now, sha })],
 * });
 * ```
 */
export async function promote(options: PromoteOptions): Promise<PromoteReport> {
  return (await startPromote(options)).recheck();
}

/**
 * {@link promote} up to and including the writes; the re-check after the writes is handed back, to be
 * run when the caller chooses, e.g. at once with its next write (rollback re-reads its audit tag while
 * the track is written). Nothing is skipped: every target is re-read by `recheck`.
 *
 * @param options - see {@link PromoteOptions}.
 * @returns the report so far and the re-check.
 * @throws as {@link promote} does before and during the writes.
 */
export async function startPromote(options: PromoteOptions): Promise<PromoteWrites> {
  const { client, source } = options;
  const targets = dedupe(options.targets.map((tag) => validateTag(tag)));
  const destination: RepositoryReference = options.destination ?? { registry: source.registry, repository: source.repository };
  const crossRepository = destination.registry !== source.registry || destination.repository !== source.repository;
  if (crossRepository && !options.copyImage) {
    throw new RegistryError('UNSUPPORTED', `promote ${formatReference(source)}: a destination in another repository needs copyImage`);
  }
  const progress = options.onProgress ?? (() => {});

  // One bearer token for the whole job where the registry allows: the source read, the destination written.
  const writes = options.dryRun ? ['pull' as const] : ['pull' as const, 'push' as const];
  client.expectAccess?.(crossRepository ? [{ repository: source, actions: ['pull'] }, { repository: destination, actions: writes }] : [{ repository: destination, actions: writes }]);
  const known = options.before ?? {};
  const unknown = targets.filter((tag) => !Object.hasOwn(known, tag));
  if (options.manifest && source.digest !== undefined && options.manifest.digest !== source.digest) {
    throw new RegistryError('DIGEST_MISMATCH', `promote ${formatReference(source)}: the manifest given has digest ${options.manifest.digest}`);
  }
  // The destination's tag list does not depend on the source manifest: read both at once.
  const listing = unknown.length > 0 || options.lateTargets ? existingTargets(client, destination) : Promise.resolve(new Set<string>());
  listing.catch(() => {}); // awaited below; a failed source read must not leave it unhandled
  const manifest = options.manifest ?? (await client.getManifest(source));
  if (!options.manifest) progress(`resolved ${formatReference(source)} to ${manifest.digest} (${manifest.mediaType})`);
  const late = options.lateTargets?.(manifest);
  late?.catch(() => {}); // awaited below, before any write
  const report: PromoteReport = {
    source: formatReference(source),
    destination: formatReference(destination),
    digest: manifest.digest,
    mediaType: manifest.mediaType,
    targets: targets.map((tag) => ({ tag, before: known[tag] ?? null, after: null, status: 'not-attempted' })),
    dryRun: options.dryRun ?? false,
  };

  if (options.verify) report.verification = await options.verify(manifest.digest, manifest);

  const limit = pLimit(TARGET_CONCURRENCY);
  const existing = await listing;
  const readBefore = (targets: readonly TargetReport[]): Promise<unknown> =>
    Promise.all(
      targets
        // A target whose previous digest the caller gave is not read again.
        .filter((target) => !Object.hasOwn(known, target.tag) && existing.has(target.tag))
        .map((target) =>
          limit(async () => {
            target.before = (await resolveDigestIfExists(client, { ...destination, tag: target.tag })) ?? null;
          }),
        ),
    );
  const lateReports = async (): Promise<unknown> => {
    const tags = dedupe(((await late) ?? []).map((tag) => validateTag(tag))).filter((tag) => !targets.includes(tag));
    const added: TargetReport[] = tags.map((tag) => ({ tag, before: null, after: null, status: 'not-attempted' }));
    report.targets.push(...added);
    return readBefore(added);
  };
  await Promise.all([readBefore(report.targets), lateReports()]);

  if (report.dryRun) {
    for (const target of report.targets) target.status = target.before === manifest.digest ? 'unchanged' : 'planned';
    return { report, recheck: () => Promise.resolve(report) };
  }

  try {
    if (crossRepository && options.copyImage) {
      // The repository only: a digest kept in the source reference would win over any tag built from it.
      report.copy = await options.copyImage(client, { registry: source.registry, repository: source.repository }, destination, manifest);
      progress(`copied ${manifest.digest} into ${formatReference(destination)}`);
    }
    if (options.skipUnchanged !== false) for (const target of report.targets) if (target.before === manifest.digest) target.status = 'unchanged';
    // Every write is attempted once, concurrently; each target's status says what happened to it.
    const writes = await Promise.allSettled(
      report.targets
        .filter((target) => target.status !== 'unchanged')
        .map((target) =>
          limit(async () => {
            target.status = 'failed';
            await client.putManifest(destination, target.tag, { bytes: manifest.bytes, mediaType: manifest.mediaType });
            target.status = 'written';
            progress(`wrote ${target.tag} -> ${manifest.digest}`);
          }),
        ),
    );
    const failure = writes.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure) throw failure.reason;
  } catch (error: unknown) {
    // Say what the registry holds now, not only what was attempted: a failed PUT may still have landed.
    await Promise.all(
      report.targets.map((target) =>
        limit(async () => {
          try {
            target.after = (await resolveDigestIfExists(client, { ...destination, tag: target.tag })) ?? null;
          } catch {
            target.after = null;
            // A PUT went out for this tag: without a re-read nobody knows whether it landed.
            if (target.status === 'written' || target.status === 'failed') target.status = 'unknown';
          }
        }),
      ),
    );
    throw new PartialMutationError(
      `promote ${report.source} to ${report.destination}: ${errorMessage(error)}`,
      report,
      { cause: error },
    );
  }

  const readBack = async (tag: string): Promise<string> =>
    options.readBack === 'manifest'
      ? (await client.getManifest({ ...destination, tag })).digest
      : (await client.resolveDigest({ ...destination, tag })).digest;
  const rewrite = async (tag: string): Promise<void> => {
    await client.putManifest(destination, tag, { bytes: manifest.bytes, mediaType: manifest.mediaType });
    progress(`${tag} resolved to nothing right after its write (the manifest was deleted meanwhile): wrote it again`);
  };
  return { report, recheck: () => recheck(report, manifest.digest, readBack, limit, rewrite) };
}

/**
 * Re-reads every target after the writes; fails unless all hold `digest`. A tag written and then found
 * pointing at nothing (404: its manifest deleted by another run while the tag was written) is written
 * once more and read again.
 */
async function recheck(
  report: PromoteReport,
  digest: string,
  readBack: (tag: string) => Promise<string>,
  limit: LimitFunction,
  rewrite: (tag: string) => Promise<void>,
): Promise<PromoteReport> {
  const mismatched: string[] = [];
  const readOrRewrite = async (target: TargetReport): Promise<string> => {
    try {
      return await readBack(target.tag);
    } catch (error: unknown) {
      if (target.status !== 'written' || !(error instanceof RegistryError) || error.status !== 404) throw error;
      await rewrite(target.tag);
      target.rewritten = true;
      return readBack(target.tag);
    }
  };
  await Promise.all(
    report.targets.map((target) =>
      limit(async () => {
        try {
          target.after = await readOrRewrite(target);
        } catch (error: unknown) {
          target.after = null;
          // The write landed (the PUT succeeded) but what the tag holds now cannot be read.
          if (target.status === 'written') target.status = 'unknown';
          mismatched.push(`${target.tag}: ${errorMessage(error)}`);
          return;
        }
        if (target.after !== digest) mismatched.push(`${target.tag} resolves to ${target.after}`);
      }),
    ),
  );
  if (mismatched.length > 0) {
    for (const target of report.targets) if (target.after !== digest && target.status === 'written') target.status = 'failed';
    throw new PartialMutationError(
      `promote ${report.source}: re-check failed, expected ${digest}: ${mismatched.join('; ')}`,
      report,
    );
  }
  return report;
}

/** Every tag of the repository, from one tag listing. */
async function existingTargets(client: RegistryClient, repo: RepositoryReference): Promise<Set<string>> {
  return new Set(await client.listTags(repo));
}

function dedupe(tags: string[]): string[] {
  return [...new Set(tags)];
}
