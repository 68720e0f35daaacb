/**
 * The shapes of registry answers the client decides from, checked before anything is read out of
 * them (fail closed): a tag list, a manifest or index, a referrers index and a token response.
 * A 2xx answer that does not parse, or parses to another shape, is a {@link RegistryError}
 * `INVALID_RESPONSE`, never "nothing there".
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags | OCI distribution spec, Listing tags}
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/manifest.md | image-spec, Image manifest}
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/image-index.md | image-spec, Image index}
 * @see {@link https://distribution.github.io/distribution/spec/auth/token/#token-response-fields | Docker token authentication, Token response fields}
 * @packageDocumentation
 */
import * as v from 'valibot';
import { RegistryError } from '../errors.js';
import { redactUrl } from '../redact.js';
import { INDEX_MEDIA_TYPES } from './types.js';

/** `algorithm:encoded` (image-spec, Digests). */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const descriptor = v.looseObject({
  mediaType: v.string(),
  digest: v.pipe(v.string(), v.regex(DIGEST, 'not a digest')),
  size: v.pipe(v.number(), v.integer(), v.minValue(0)),
  artifactType: v.optional(v.string()),
  annotations: v.optional(v.record(v.string(), v.string())),
});

/** `GET /v2/<name>/tags/list`: `{ name, tags }`; distribution answers `"tags": null` for an empty repository. */
export const TagListSchema = v.looseObject({
  name: v.string(),
  tags: v.nullable(v.array(v.string())),
});

/** An image index or Docker manifest list (also a referrers index). */
export const IndexSchema = v.looseObject({
  schemaVersion: v.literal(2),
  mediaType: v.optional(v.string()),
  manifests: v.array(descriptor),
});

/** An image manifest (OCI, Docker schema 2, or an artifact manifest of the OCI shape). */
export const ImageManifestSchema = v.looseObject({
  schemaVersion: v.literal(2),
  mediaType: v.optional(v.string()),
  config: descriptor,
  layers: v.array(descriptor),
  subject: v.optional(descriptor),
});

/** A token response: `token` or `access_token` (at least one non-empty), `expires_in` in seconds. */
export const TokenResponseSchema = v.pipe(
  v.looseObject({
    token: v.optional(v.string()),
    access_token: v.optional(v.string()),
    expires_in: v.optional(v.number()),
    refresh_token: v.optional(v.string()),
  }),
  v.check((value) => Boolean(value.token || value.access_token), 'has neither token nor access_token'),
);

/**
 * Parses a response body as JSON and checks it against a schema.
 *
 * @param schema - one of the schemas above.
 * @param body - the raw response body.
 * @param what - what the body should be, for the message: `tag list`, `manifest`, …
 * @param operation - the operation, e.g. `list tags`.
 * @param url - the request URL (redacted in the message).
 * @returns the parsed value.
 * @throws {@link RegistryError} `INVALID_RESPONSE` naming the operation, URL and the first problems.
 */
export function parseResponse<const TSchema extends v.GenericSchema>(
  schema: TSchema,
  body: Uint8Array,
  what: string,
  operation: string,
  url: string | URL,
): v.InferOutput<TSchema> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new RegistryError('INVALID_RESPONSE', `${operation} ${redactUrl(url)}: the answer is not a JSON ${what}`, { status: 200 });
  }
  const result = v.safeParse(schema, json);
  if (!result.success) {
    const problems = result.issues
      .slice(0, 3)
      .map((issue) => {
        const path = v.getDotPath(issue);
        return path ? `${path}: ${issue.message}` : issue.message;
      })
      .join('; ');
    throw new RegistryError('INVALID_RESPONSE', `${operation} ${redactUrl(url)}: the answer is not a valid ${what} (${problems})`, {
      status: 200,
    });
  }
  return result.output;
}

/**
 * Checks manifest bytes by their media type: an index type against {@link IndexSchema}, an image
 * manifest type against {@link ImageManifestSchema}; any other type must at least be a JSON object.
 *
 * @throws {@link RegistryError} `INVALID_RESPONSE`.
 */
export function checkManifest(bytes: Uint8Array, mediaType: string, operation: string, url: string | URL): void {
  if (INDEX_MEDIA_TYPES.includes(mediaType)) parseResponse(IndexSchema, bytes, 'image index', operation, url);
  else if (IMAGE_MANIFEST_TYPES.has(mediaType)) parseResponse(ImageManifestSchema, bytes, 'image manifest', operation, url);
  else parseResponse(v.looseObject({}), bytes, 'manifest', operation, url);
}

const IMAGE_MANIFEST_TYPES = new Set(['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json']);
