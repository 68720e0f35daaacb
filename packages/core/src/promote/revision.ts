import * as v from 'valibot';
import { PolicyError } from '../errors.js';
import { REVISION_KEY, builtCommit } from '../policy/built-commit.js';
import type { BuiltCommit } from '../policy/built-commit.js';
import type { RegistryClient } from '../registry/client.js';
import type { ImageReference, RepositoryReference } from '../registry/reference.js';
import { formatReference } from '../registry/reference.js';
import { ImageManifestSchema, IndexSchema, parseResponse } from '../registry/responses.js';
import { INDEX_MEDIA_TYPES } from '../registry/types.js';
import type { RawManifest } from '../registry/types.js';

/** The part of an image config read here: `config.Labels` (null when the image has none). */
const ConfigSchema = v.looseObject({
  config: v.optional(v.nullable(v.looseObject({ Labels: v.optional(v.nullable(v.record(v.string(), v.string()))) }))),
});

const annotationOf = (value: unknown): string | undefined => {
  const annotations = (value as { annotations?: Record<string, string> }).annotations;
  return annotations?.[REVISION_KEY];
};

/**
 * Reads the commit an image was built from: the `org.opencontainers.image.revision` annotation of the
 * index or manifest, else the label of the same name in the image config (for an index, the first
 * platform image's config;
 * {@link https://github.com/opencontainers/image-spec/blob/main/config.md#properties | image-spec, config `Labels`}).
 * Feed it to {@link builtCommit}. Every document read is shape-checked (fail closed).
 *
 * @param client - a registry client with pull rights.
 * @param image - the repository and the image's digest (or a tag).
 * @param manifest - the image's manifest when the caller has read it already (saves a request).
 * @returns the revision as written, or undefined when the image has none.
 * @throws {@link RegistryError} `INVALID_RESPONSE` when a manifest or the config is not the documented
 *   shape; the client's errors for failed requests.
 */
export async function readImageRevision(client: RegistryClient, image: ImageReference, manifest?: RawManifest): Promise<string | undefined> {
  return (await readRevision(client, image, manifest)).revision;
}

async function readRevision(client: RegistryClient, image: ImageReference, given?: RawManifest): Promise<{ digest: string; revision: string | undefined }> {
  const manifest = given ?? (await client.getManifest(image));
  return { digest: manifest.digest, revision: await revisionOf(client, { registry: image.registry, repository: image.repository, digest: manifest.digest }, manifest) };
}

async function revisionOf(client: RegistryClient, image: RepositoryReference & { digest: string }, manifest: RawManifest): Promise<string | undefined> {
  const where = formatReference(image);
  let imageManifest: v.InferOutput<typeof ImageManifestSchema>;
  if (INDEX_MEDIA_TYPES.includes(manifest.mediaType)) {
    const index = parseResponse(IndexSchema, manifest.bytes, 'image index', 'read the image revision', where);
    const annotated = annotationOf(index);
    if (annotated !== undefined) return annotated;
    // Attestation manifests (docker buildx) carry no image config: take the first platform image.
    const first = index.manifests.find((entry) => entry.annotations?.['vnd.docker.reference.type'] === undefined);
    if (!first) return undefined;
    const child = await client.getManifest({ ...image, digest: first.digest });
    if (INDEX_MEDIA_TYPES.includes(child.mediaType)) return undefined;
    imageManifest = parseResponse(ImageManifestSchema, child.bytes, 'image manifest', 'read the image revision', `${where} → ${first.digest}`);
  } else {
    imageManifest = parseResponse(ImageManifestSchema, manifest.bytes, 'image manifest', 'read the image revision', where);
  }
  const annotated = annotationOf(imageManifest);
  if (annotated !== undefined) return annotated;
  const config = parseResponse(
    ConfigSchema,
    await client.getBlob(image, imageManifest.config.digest),
    'image config',
    'read the image revision',
    `${where} config ${imageManifest.config.digest}`,
  );
  return config.config?.Labels?.[REVISION_KEY];
}

/**
 * The built commit of one promotion, read at most once: the explicit `sha` without any request, else
 * the source image's revision ({@link readImageRevision}) decided by {@link builtCommit}. The read
 * starts on the first call: from the source reference (the release needs the commit before the
 * promotion reads the source) or from the source manifest the promotion just read (no extra GET).
 */
export interface BuiltCommitReader {
  /**
   * The commit; `manifest` is the source manifest when the caller has it. A read already started from
   * the reference is reused when it saw the same digest.
   *
   * @throws {@link PolicyError} `SOURCE_MOVED` when the source tag moved between the two reads.
   */
  get(manifest?: RawManifest): Promise<BuiltCommit>;
  /** The commit once decided (for the report); undefined before. */
  readonly decided: BuiltCommit | undefined;
}

/**
 * Creates the {@link BuiltCommitReader} of a promotion.
 *
 * @param client - a registry client with pull rights.
 * @param source - the image promoted (tag or digest).
 * @param given - the explicit `sha` (wins, no request) and the workflow's commit (the last resort).
 * @returns the reader.
 * @throws {@link PolicyError} `NO_COMMIT` from `get` when neither the image nor the caller knows a commit.
 */
export function builtCommitReader(client: RegistryClient, source: ImageReference, given: { sha?: string; workflowCommit?: string }): BuiltCommitReader {
  let started: Promise<{ digest: string | undefined; commit: BuiltCommit }> | undefined;
  let decided: BuiltCommit | undefined;
  const decide = (revision: string | undefined): BuiltCommit => {
    if (given.workflowCommit === undefined || given.workflowCommit.trim() === '') {
      if (revision !== undefined && revision.trim() !== '') {
        const chosen = builtCommit({ revision, workflow: revision });
        if (chosen.from !== 'workflow commit') return chosen;
      }
      throw new PolicyError(
        'NO_COMMIT',
        `find the commit of ${formatReference(source)} for {sha}: the image has no usable ${REVISION_KEY} label or annotation and no workflow commit is known; give sha`,
      );
    }
    return builtCommit({ ...(revision !== undefined ? { revision } : {}), workflow: given.workflowCommit });
  };
  const start = (manifest?: RawManifest): Promise<{ digest: string | undefined; commit: BuiltCommit }> => {
    if (given.sha !== undefined && given.sha.trim() !== '') {
      return Promise.resolve({ digest: undefined, commit: builtCommit({ explicit: given.sha, workflow: given.workflowCommit ?? given.sha }) });
    }
    const ref: ImageReference = manifest ? { registry: source.registry, repository: source.repository, digest: manifest.digest } : source;
    return readRevision(client, ref, manifest).then(({ digest, revision }) => ({ digest, commit: decide(revision) }));
  };
  return {
    get decided() {
      return decided;
    },
    async get(manifest) {
      started ??= start(manifest);
      const read = await started;
      if (manifest && read.digest !== undefined && read.digest !== manifest.digest) {
        throw new PolicyError(
          'SOURCE_MOVED',
          `read the commit of ${formatReference(source)}: the tag moved while it was promoted (${read.digest}, then ${manifest.digest}); nothing was written, re-run`,
        );
      }
      decided = read.commit;
      return read.commit;
    },
  };
}
