import * as v from 'valibot';
import { REVISION_KEY } from '../policy/built-commit.js';
import type { RegistryClient } from '../registry/client.js';
import type { RepositoryReference } from '../registry/reference.js';
import { formatReference } from '../registry/reference.js';
import { ImageManifestSchema, IndexSchema, parseResponse } from '../registry/responses.js';
import { INDEX_MEDIA_TYPES } from '../registry/types.js';

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
 * @param image - the repository and the image's digest.
 * @returns the revision as written, or undefined when the image has none.
 * @throws {@link RegistryError} `INVALID_RESPONSE` when a manifest or the config is not the documented
 *   shape; the client's errors for failed requests.
 */
export async function readImageRevision(client: RegistryClient, image: RepositoryReference & { digest: string }): Promise<string | undefined> {
  const where = formatReference(image);
  const manifest = await client.getManifest(image);
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
