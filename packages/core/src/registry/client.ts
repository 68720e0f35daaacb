/**
 * The OCI registry client: manifests, tags, blobs and referrers over the distribution API,
 * built on the transport (auth, retries, error decoding), like go-containerregistry's `remote`.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md | OCI distribution spec}
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { RegistryError } from '../errors.js';
// Referenced by TSDoc `{@link InvalidReferenceError}`.
import type { InvalidReferenceError } from '../errors.js';
import { redactUrl } from '../redact.js';
import type { Keychain } from './keychain.js';
import { validateDigest, validateTag } from './reference.js';
import type { ImageReference, RepositoryReference } from './reference.js';
import { IndexSchema, TagListSchema, checkManifest, parseResponse } from './responses.js';
import { createTransport } from './transport.js';
import type { RequestEvent, RetryOptions, TimeoutOptions, Transport, TransportResponse } from './transport.js';
import { MANIFEST_MEDIA_TYPES, MediaTypes, computeDigest, referrersTag } from './types.js';
import type { Descriptor, RawManifest } from './types.js';

/** Options of {@link createRegistryClient}. */
export interface RegistryClientOptions {
  /**
   * The fetch to use (default the global one); inject to observe or reroute requests.
   * `createNodeHttpFetch()` (from `./node-http.js`) is an opt-in replacement on `node:http` that
   * avoids the 90-110 ms first-request cost of the global fetch in a fresh process.
   */
  fetch?: typeof fetch;
  /** Where credentials come from; anonymous when absent. */
  keychain?: Keychain;
  /** Retries on 429/502/503/504 and connection resets (default 4 retries, 500 ms doubling to 10 s). */
  retry?: RetryOptions;
  /** `User-Agent` header (default `tagwright`). */
  userAgent?: string;
  /** Registries (`host[:port]`) reached over plain HTTP besides loopback hosts. */
  insecureRegistries?: string[];
  /** Called after every HTTP request (auth challenges, token requests and retries included). */
  onRequest?: (event: RequestEvent) => void;
  /**
   * Connect and idle timeouts of every request, each attempt of a retry included (default 10 s to
   * connect, 30 s without a byte). A request that runs out is a {@link RegistryError} `TIMEOUT`
   * (retried like a connection reset).
   */
  timeouts?: TimeoutOptions;
  /**
   * Stops the client: the request in flight is cancelled, no retry follows, and the call throws a
   * {@link RegistryError} `ABORTED` (e.g. an action's overall timeout).
   */
  signal?: AbortSignal;
  /**
   * Most requests in flight at once to one host (default 8, `DEFAULT_MAX_CONCURRENCY_PER_HOST`);
   * concurrent calls beyond it wait for a slot. A whole number ≥ 1, else `RangeError`.
   */
  maxConcurrencyPerHost?: number;
}

/**
 * Operations on a registry. Every read of content checks its digest; every error is a
 * {@link RegistryError} keeping status and OCI error codes.
 */
export interface RegistryClient {
  /**
   * Lists the tags of a repository, following `Link: <…>; rel="next"` pages
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-tags | Listing tags}).
   * `"tags": null` and an unknown repository (`NAME_UNKNOWN`) give `[]`. Order is the registry's.
   * Every page must be `{"name": string, "tags": string[] | null}`: anything else (`{}`,
   * `"tags": "2.0.0"`, not JSON) fails closed, never reads as "no tags". A next page on another
   * host is fetched without credentials.
   *
   * @param repo - the repository.
   * @returns every tag, across pages.
   * @throws {@link RegistryError} `INVALID_RESPONSE` for a page of another shape; `UNAUTHORIZED`
   *   (401/403), `REGISTRY_ERROR`, `NETWORK_ERROR`, `TIMEOUT`, `ABORTED`.
   */
  listTags(repo: RepositoryReference): Promise<string[]>;
  /**
   * Resolves a reference to the descriptor of its manifest (`HEAD` with the manifest media types in
   * `Accept`; `GET` when the registry does not give a digest on `HEAD`). A reference with neither tag
   * nor digest means `latest`.
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry | Checking if content exists})
   *
   * @param ref - by tag or digest (the digest wins when both are set).
   * @returns the manifest's media type, digest and size in bytes.
   * @throws {@link RegistryError} `NOT_FOUND` when there is no such manifest; `DIGEST_MISMATCH` when
   *   the registry answers another digest than the one asked for.
   * @throws {@link InvalidReferenceError} for a malformed tag or digest (before any request).
   */
  resolveDigest(ref: ImageReference): Promise<Descriptor>;
  /**
   * Fetches a manifest's raw bytes and checks `sha256(bytes)` against the requested digest or the
   * `Docker-Content-Digest` header; read by tag without that header, the digest of the bytes is
   * cross-checked with the registry (a `HEAD` of the tag, else a `HEAD` by that digest). The body
   * must have the shape of its media type (index, image manifest, or at least a JSON object)
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | Pulling manifests}).
   *
   * @param ref - by tag or digest (`latest` when neither).
   * @returns the raw bytes, the media type they were served with, and their digest.
   * @throws {@link RegistryError} `DIGEST_MISMATCH` when the bytes do not match or the registry does
   *   not vouch for them; `INVALID_RESPONSE` for a body of another shape or a malformed digest
   *   header; `NOT_FOUND`.
   */
  getManifest(ref: ImageReference): Promise<RawManifest>;
  /**
   * Uploads a manifest under a tag or by digest, with `mediaType` as `Content-Type`. A retag is
   * this call with the bytes and media type {@link RegistryClient.getManifest} returned: the digest
   * stays, no blob is touched
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pushing-manifests | Pushing manifests}).
   *
   * @param repo - the repository to write into.
   * @param tagOrDigest - a tag, or the manifest's own digest for an untagged write.
   * @param manifest - raw bytes and their media type (sent as `Content-Type`).
   * @returns the manifest's digest.
   * @throws {@link InvalidReferenceError} for a malformed tag or digest (before any request).
   * @throws {@link RegistryError} `DIGEST_MISMATCH` when `tagOrDigest` is a digest the bytes do not
   *   have (before any request); `REGISTRY_ERROR` with `MANIFEST_BLOB_UNKNOWN` when a referenced blob or
   *   child is missing, `MANIFEST_INVALID` for a wrong media type.
   */
  putManifest(repo: RepositoryReference, tagOrDigest: string, manifest: { bytes: Uint8Array; mediaType: string }): Promise<string>;
  /**
   * Deletes a manifest by digest; every tag pointing at it goes too
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests | Deleting manifests}).
   *
   * @param digest - the manifest digest (registries refuse deletes by tag).
   * @throws {@link RegistryError} `NOT_FOUND` when absent; `UNAUTHORIZED`; `REGISTRY_ERROR` (e.g.
   *   `UNSUPPORTED` when the registry has deletes disabled).
   */
  deleteManifest(repo: RepositoryReference, digest: string): Promise<void>;
  /**
   * Checks whether a blob exists
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#checking-if-content-exists-in-the-registry | Checking if content exists}).
   *
   * @returns its descriptor (size from `Content-Length`), or `undefined` when it does not exist.
   */
  headBlob(repo: RepositoryReference, digest: string): Promise<Descriptor | undefined>;
  /**
   * Fetches a small blob (config, signature) and checks its digest
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs | Pulling blobs}).
   * The whole blob is held in memory.
   *
   * @returns the blob bytes.
   * @throws {@link RegistryError} `DIGEST_MISMATCH` when the bytes do not match; `NOT_FOUND`.
   */
  getBlob(repo: RepositoryReference, digest: string): Promise<Uint8Array>;
  /**
   * Uploads a blob monolithically (`POST` then `PUT ?digest=`)
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#post-then-put | POST then PUT}).
   *
   * @param digest - when given, must equal `sha256(bytes)` (checked before any request).
   * @returns the blob's descriptor (`application/octet-stream`).
   */
  putBlob(repo: RepositoryReference, bytes: Uint8Array, digest?: string): Promise<Descriptor>;
  /**
   * Opens a blob as a stream, for blobs too large to hold in memory (layers). The stream checks the
   * digest as it is read and errors with a {@link RegistryError} `DIGEST_MISMATCH` at its end when the
   * bytes do not match ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-blobs | Pulling blobs}).
   *
   * @returns the stream and the size the registry announced (`NaN` when it gave none). The caller
   *   must read the stream to its end or cancel it.
   * @throws {@link RegistryError} `NOT_FOUND` when the blob does not exist.
   */
  openBlob(repo: RepositoryReference, digest: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }>;
  /**
   * Uploads a blob from a stream without buffering it (`POST`, then one `PUT ?digest=` whose body is
   * the stream). The registry checks the digest; the request is sent once (a stream cannot be replayed)
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#post-then-put | POST then PUT}).
   *
   * @param size - the blob size in bytes, sent as `Content-Length` (the descriptor's `size`).
   * @returns the blob's descriptor (`application/octet-stream`).
   */
  uploadBlob(repo: RepositoryReference, digest: string, size: number, stream: ReadableStream<Uint8Array>): Promise<Descriptor>;
  /**
   * Mounts a blob from another repository of the same registry
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#mounting-a-blob-from-another-repository | Mounting a blob}).
   *
   * @returns true when mounted (201); false when the registry did not mount (202, the upload session
   *   it opened is cancelled) or the repositories are on different registries: the caller uploads.
   */
  mountBlob(dst: RepositoryReference, digest: string, from: RepositoryReference): Promise<boolean>;
  /**
   * Lists the referrers of a manifest (signatures, attestations, SBOMs): the referrers API
   * `GET /v2/<name>/referrers/<digest>`, or, when the registry has none (404), the referrers tag
   * schema (`sha256-<hex>` holding an index; none when absent). Any other error status, or a 200
   * that is not an image index, throws: a failed read is never "no referrers"
   * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#listing-referrers | Listing referrers}).
   *
   * @param options - `artifactType` keeps only referrers of that type. `tagSchemaAtOnce` reads the
   *   referrers tag at the same time as the API instead of after its 404: one round trip instead of two on
   *   registries without the API (GHCR, CNCF distribution), one request more on those with it (its answer
   *   is then not used, nor its failure). `listedTags`: the repository's tags as the caller listed them
   *   moments ago (e.g. a cleanup's one listing). With it, the fallback tag is read only when it is listed
   *   there (no request when it is not), and once the registry answered 404 to the referrers API for this
   *   repository, it is not asked again: a registry that has the API never answers 404 there (distribution
   *   spec), so a later lookup costs no request at all.
   * @throws {@link RegistryError} `INVALID_RESPONSE` for an answer that is not an index;
   *   `REGISTRY_ERROR` for a 5xx (after retries), `UNAUTHORIZED`, `TIMEOUT`.
   */
  referrers(repo: RepositoryReference, digest: string, options?: { artifactType?: string; tagSchemaAtOnce?: boolean; listedTags?: ReadonlySet<string> }): Promise<Descriptor[]>;
  /**
   * Declares the repositories a job is about to read and write, before its first request, so that on a
   * registry with bearer tokens one token covers them all (one token request, instead of one per
   * repository and action). Only a hint: every request still asks for what it needs when no token
   * covers it. Optional: a client without it asks per request.
   *
   * @param access - each repository and what will be done there (`pull`, `push`).
   */
  expectAccess?(access: ReadonlyArray<RepositoryAccess>): void;
}

/** A repository and what a job does there; see {@link RegistryClient.expectAccess}. */
export interface RepositoryAccess {
  /** The repository. */
  repository: RepositoryReference;
  /** `pull` to read, `push` to write. */
  actions: ReadonlyArray<'pull' | 'push'>;
}

const SUPPORTED_DIGEST_ALGORITHMS = new Set(['sha256', 'sha512']);

/**
 * Creates a registry client.
 *
 * @param options - see {@link RegistryClientOptions}.
 * @returns a {@link RegistryClient}.
 * @example
 * ```ts
 * const client = createRegistryClient({ keychain: dockerConfigKeychain({}) });
 * const ref = parseReference('ghcr.io/acme/app:1.2.3');
 * const manifest = await client.getManifest(ref);
 * // Retag without moving a blob:
 * await client.putManifest(ref, '1.2', manifest);
 * ```
 */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const transport: Transport = createTransport(options);
  const v2 = (repo: RepositoryReference, path: string): string =>
    `${transport.baseUrl(repo.registry)}/v2/${repo.repository}/${path}`;
  const pull = (repo: RepositoryReference): string[] => [`repository:${repo.repository}:pull`];
  const push = (repo: RepositoryReference): string[] => [`repository:${repo.repository}:pull,push`];
  const manifestPath = (ref: ImageReference): string => {
    if (ref.digest !== undefined) return `manifests/${validateDigest(ref.digest)}`;
    return `manifests/${validateTag(ref.tag ?? 'latest')}`;
  };

  const getManifest = async (ref: ImageReference): Promise<RawManifest> => {
    const url = v2(ref, manifestPath(ref));
    const response = await transport.request({
      operation: 'get manifest',
      registry: ref.registry,
      method: 'GET',
      url,
      headers: { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
      scopes: pull(ref),
      okStatuses: [200],
    });
    const served = headerDigest(response, 'get manifest', url);
    const expected = ref.digest ?? served;
    const digest = verifyDigest('get manifest', url, response.body, expected);
    const mediaType = manifestMediaType(response);
    checkManifest(response.body, mediaType, 'get manifest', url);
    if (expected === undefined) await crossCheck(ref, url, digest);
    return { bytes: response.body, mediaType, digest };
  };

  /**
   * A manifest read by tag came without `Docker-Content-Digest`: nothing vouches for the bytes.
   * Asks the registry again: a `HEAD` of the tag must name the same digest, or (no digest there
   * either) a `HEAD` by the computed digest must find it.
   */
  const crossCheck = async (ref: ImageReference, url: string, digest: string): Promise<void> => {
    const accept = { Accept: MANIFEST_MEDIA_TYPES.join(', ') };
    const byTag = await transport.request({
      operation: 'check manifest digest',
      registry: ref.registry,
      method: 'HEAD',
      url,
      headers: accept,
      scopes: pull(ref),
      okStatuses: [200, 404, 405],
    });
    const named = byTag.status === 200 ? headerDigest(byTag, 'check manifest digest', url) : undefined;
    if (named !== undefined) {
      if (named !== digest) {
        throw new RegistryError(
          'DIGEST_MISMATCH',
          `get manifest ${redactUrl(url)}: the body has digest ${digest}, the registry holds ${named} for the tag`,
          { status: 200 },
        );
      }
      return;
    }
    const byDigest = await transport.request({
      operation: 'check manifest digest',
      registry: ref.registry,
      method: 'HEAD',
      url: v2(ref, `manifests/${digest}`),
      headers: accept,
      scopes: pull(ref),
      okStatuses: [200, 404],
    });
    if (byDigest.status !== 200) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `get manifest ${redactUrl(url)}: the body has digest ${digest}, which the registry does not hold (the answer came without Docker-Content-Digest)`,
        { status: 200 },
      );
    }
  };

  const listTags = async (repo: RepositoryReference): Promise<string[]> => {
    const tags: string[] = [];
    const seen = new Set<string>();
    let url: string | undefined = v2(repo, 'tags/list');
    while (url !== undefined && !seen.has(url)) {
      seen.add(url);
      const response: TransportResponse = await transport.request({
        operation: 'list tags',
        registry: repo.registry,
        method: 'GET',
        url,
        headers: { Accept: 'application/json' },
        scopes: pull(repo),
        okStatuses: [200, 404],
      });
      if (response.status === 404) {
        const page = parseJson(response.body) as { errors?: { code?: unknown }[] } | undefined;
        if (page?.errors?.some((e) => e.code === 'NAME_UNKNOWN')) return tags;
        throw new RegistryError('NOT_FOUND', `list tags ${redactUrl(url)}: 404 Not Found`, { status: 404 });
      }
      const page = parseResponse(TagListSchema, response.body, 'tag list ({"name": string, "tags": [string] or null})', 'list tags', url);
      tags.push(...(page.tags ?? []));
      url = nextLink(response.headers.get('link'), url);
    }
    return tags;
  };

  const resolveDigest = async (ref: ImageReference): Promise<Descriptor> => {
    const url = v2(ref, manifestPath(ref));
    const response = await transport.request({
      operation: 'resolve digest',
      registry: ref.registry,
      method: 'HEAD',
      url,
      headers: { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
      scopes: pull(ref),
      okStatuses: [200, 405],
    });
    const digest = headerDigest(response, 'resolve digest', url);
    const mediaType = contentType(response);
    const length = Number(response.headers.get('content-length') ?? 'NaN');
    if (response.status === 200 && digest && mediaType && MANIFEST_MEDIA_TYPES.includes(mediaType) && Number.isFinite(length)) {
      if (ref.digest !== undefined && digest !== ref.digest) {
        throw new RegistryError('DIGEST_MISMATCH', `resolve digest ${redactUrl(url)}: registry answered ${digest}, expected ${ref.digest}`, {
          status: 200,
        });
      }
      return { mediaType, digest, size: length };
    }
    const manifest = await getManifest(ref);
    return { mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.byteLength };
  };

  const putManifest = async (
    repo: RepositoryReference,
    tagOrDigest: string,
    manifest: { bytes: Uint8Array; mediaType: string },
  ): Promise<string> => {
    const isDigest = tagOrDigest.includes(':');
    if (isDigest) validateDigest(tagOrDigest);
    else validateTag(tagOrDigest);
    const url = v2(repo, `manifests/${tagOrDigest}`);
    const computed = computeDigest(manifest.bytes, isDigest ? digestAlgorithm(tagOrDigest) : 'sha256');
    if (isDigest && computed !== tagOrDigest) {
      throw new RegistryError('DIGEST_MISMATCH', `put manifest ${redactUrl(url)}: the manifest bytes have digest ${computed}`);
    }
    const response = await transport.request({
      operation: 'put manifest',
      registry: repo.registry,
      method: 'PUT',
      url,
      headers: { 'Content-Type': manifest.mediaType },
      body: manifest.bytes,
      scopes: push(repo),
      okStatuses: [200, 201, 202],
    });
    const served = headerDigest(response, 'put manifest', url);
    if (served && served.startsWith('sha256:') && computed.startsWith('sha256:') && served !== computed) {
      throw new RegistryError('DIGEST_MISMATCH', `put manifest ${redactUrl(url)}: registry stored ${served}, the bytes have ${computed}`, {
        status: response.status,
      });
    }
    return computed;
  };

  const deleteManifest = async (repo: RepositoryReference, digest: string): Promise<void> => {
    validateDigest(digest);
    await transport.request({
      operation: 'delete manifest',
      registry: repo.registry,
      method: 'DELETE',
      url: v2(repo, `manifests/${digest}`),
      scopes: [`repository:${repo.repository}:delete`],
      okStatuses: [200, 202, 204],
    });
  };

  const headBlob = async (repo: RepositoryReference, digest: string): Promise<Descriptor | undefined> => {
    validateDigest(digest);
    const response = await transport.request({
      operation: 'head blob',
      registry: repo.registry,
      method: 'HEAD',
      url: v2(repo, `blobs/${digest}`),
      scopes: pull(repo),
      okStatuses: [200, 404],
    });
    if (response.status === 404) return undefined;
    return {
      mediaType: contentType(response) ?? 'application/octet-stream',
      digest,
      size: Number(response.headers.get('content-length') ?? '0'),
    };
  };

  const getBlob = async (repo: RepositoryReference, digest: string): Promise<Uint8Array> => {
    validateDigest(digest);
    const url = v2(repo, `blobs/${digest}`);
    const response = await transport.request({
      operation: 'get blob',
      registry: repo.registry,
      method: 'GET',
      url,
      scopes: pull(repo),
      okStatuses: [200],
    });
    verifyDigest('get blob', url, response.body, digest);
    return response.body;
  };

  /** Opens an upload session (`POST …/blobs/uploads/`); returns the PUT URL carrying `digest`. */
  const startUpload = async (repo: RepositoryReference, digest: string): Promise<URL> => {
    const start = v2(repo, 'blobs/uploads/');
    const session = await transport.request({
      operation: 'start blob upload',
      registry: repo.registry,
      method: 'POST',
      url: start,
      scopes: push(repo),
      okStatuses: [202],
    });
    const location = uploadLocation(session, start);
    location.searchParams.set('digest', digest);
    return location;
  };

  const putBlob = async (repo: RepositoryReference, bytes: Uint8Array, digest?: string): Promise<Descriptor> => {
    if (digest !== undefined) validateDigest(digest);
    const computed = computeDigest(bytes, digest ? digestAlgorithm(digest) : 'sha256');
    if (digest !== undefined && digest !== computed) {
      throw new RegistryError(
        'DIGEST_MISMATCH',
        `put blob ${redactUrl(v2(repo, 'blobs/uploads/'))}: the bytes have digest ${computed}, not ${digest}`,
      );
    }
    const location = await startUpload(repo, computed);
    await transport.request({
      operation: 'put blob',
      registry: repo.registry,
      method: 'PUT',
      url: location,
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
      scopes: push(repo),
      okStatuses: [201],
    });
    return { mediaType: 'application/octet-stream', digest: computed, size: bytes.byteLength };
  };

  const openBlob = async (repo: RepositoryReference, digest: string): Promise<{ stream: ReadableStream<Uint8Array>; size: number }> => {
    validateDigest(digest);
    const url = v2(repo, `blobs/${digest}`);
    const algorithm = digest.split(':', 1)[0] ?? '';
    if (!SUPPORTED_DIGEST_ALGORITHMS.has(algorithm)) {
      throw new RegistryError('UNSUPPORTED', `get blob ${redactUrl(url)}: cannot verify digest algorithm ${JSON.stringify(algorithm)}`);
    }
    const response = await transport.request({
      operation: 'get blob',
      registry: repo.registry,
      method: 'GET',
      url,
      scopes: pull(repo),
      okStatuses: [200],
      stream: true,
    });
    const body = response.stream ?? new Blob([response.body]).stream();
    const hash = createHash(algorithm);
    const verifying = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        hash.update(chunk);
        controller.enqueue(chunk);
      },
      flush(controller) {
        const actual = `${algorithm}:${hash.digest('hex')}`;
        if (actual !== digest) {
          controller.error(
            new RegistryError('DIGEST_MISMATCH', `get blob ${redactUrl(url)}: content has digest ${actual}, expected ${digest}`, { status: 200 }),
          );
        }
      },
    });
    return { stream: body.pipeThrough(verifying), size: Number(response.headers.get('content-length') ?? 'NaN') };
  };

  const uploadBlob = async (
    repo: RepositoryReference,
    digest: string,
    size: number,
    stream: ReadableStream<Uint8Array>,
  ): Promise<Descriptor> => {
    validateDigest(digest);
    const location = await startUpload(repo, digest);
    await transport.request({
      operation: 'put blob',
      registry: repo.registry,
      method: 'PUT',
      url: location,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) },
      body: stream,
      scopes: push(repo),
      okStatuses: [201],
    });
    return { mediaType: 'application/octet-stream', digest, size };
  };

  const mountBlob = async (dst: RepositoryReference, digest: string, from: RepositoryReference): Promise<boolean> => {
    validateDigest(digest);
    if (dst.registry !== from.registry) return false;
    const url = new URL(v2(dst, 'blobs/uploads/'));
    url.searchParams.set('mount', digest);
    url.searchParams.set('from', from.repository);
    const response = await transport.request({
      operation: 'mount blob',
      registry: dst.registry,
      method: 'POST',
      url,
      scopes: [...push(dst), ...pull(from)],
      okStatuses: [201, 202],
    });
    if (response.status === 201) return true;
    // Not mounted: close the upload session the registry opened; the caller uploads instead.
    try {
      await transport.request({
        operation: 'cancel blob upload',
        registry: dst.registry,
        method: 'DELETE',
        url: uploadLocation(response, url.toString()),
        scopes: push(dst),
        okStatuses: [200, 202, 204, 404],
      });
    } catch {
      // Best effort: registries purge abandoned uploads themselves.
    }
    return false;
  };

  /** Repositories (`registry/repository`) whose registry answered 404 to the referrers API: it has none. */
  const withoutReferrersApi = new Set<string>();
  const referrers = async (
    repo: RepositoryReference,
    digest: string,
    referrerOptions: { artifactType?: string; tagSchemaAtOnce?: boolean; listedTags?: ReadonlySet<string> } = {},
  ): Promise<Descriptor[]> => {
    validateDigest(digest);
    const listed = referrerOptions.listedTags;
    const repoKey = `${repo.registry}/${repo.repository}`;
    const url = new URL(v2(repo, `referrers/${digest}`));
    if (referrerOptions.artifactType !== undefined) url.searchParams.set('artifactType', referrerOptions.artifactType);
    const fallbackUrl = v2(repo, `manifests/${referrersTag(digest)}`);
    // The caller's listing says whether the fallback tag exists: no request when it does not.
    const fallbackListed = listed === undefined || listed.has(referrersTag(digest));
    const readTagSchema = (): Promise<TransportResponse> =>
      transport.request({
        operation: 'list referrers (tag schema)',
        registry: repo.registry,
        method: 'GET',
        url: fallbackUrl,
        headers: { Accept: MANIFEST_MEDIA_TYPES.join(', ') },
        scopes: pull(repo),
        okStatuses: [200, 404],
      });
    const early = referrerOptions.tagSchemaAtOnce && fallbackListed ? readTagSchema() : undefined;
    // Awaited only when the API has none; its failure must not go unhandled otherwise.
    early?.catch(() => {});
    const response =
      listed !== undefined && withoutReferrersApi.has(repoKey)
        ? undefined
        : await transport.request({
            operation: 'list referrers',
            registry: repo.registry,
            method: 'GET',
            url,
            headers: { Accept: MediaTypes.OCI_INDEX },
            scopes: pull(repo),
            okStatuses: [200, 404],
          });
    let list: Descriptor[];
    if (response?.status === 200) {
      list = parseResponse(IndexSchema, response.body, 'referrers index', 'list referrers', url).manifests as Descriptor[];
    } else {
      // No referrers API: the referrers tag schema.
      withoutReferrersApi.add(repoKey);
      if (!fallbackListed) return [];
      const fallback = await (early ?? readTagSchema());
      if (fallback.status === 404) return [];
      const served = headerDigest(fallback, 'list referrers (tag schema)', fallbackUrl);
      verifyDigest('list referrers (tag schema)', fallbackUrl, fallback.body, served);
      list = parseResponse(IndexSchema, fallback.body, 'referrers index', 'list referrers (tag schema)', fallbackUrl).manifests as Descriptor[];
    }
    const wanted = referrerOptions.artifactType;
    return wanted === undefined ? list : list.filter((d) => d.artifactType === wanted);
  };

  const expectAccess = (access: ReadonlyArray<RepositoryAccess>): void => {
    for (const { repository, actions } of access) {
      if (actions.length > 0) transport.expectScopes(repository.registry, [`repository:${repository.repository}:${[...new Set(actions)].sort().join(',')}`]);
    }
  };

  return {
    expectAccess,
    listTags,
    resolveDigest,
    getManifest,
    putManifest,
    deleteManifest,
    headBlob,
    getBlob,
    putBlob,
    openBlob,
    uploadBlob,
    mountBlob,
    referrers,
  };
}

function digestAlgorithm(digest: string): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

function verifyDigest(operation: string, url: string, bytes: Uint8Array, expected: string | undefined): string {
  if (expected === undefined) return computeDigest(bytes);
  const algorithm = expected.split(':', 1)[0] ?? '';
  if (!SUPPORTED_DIGEST_ALGORITHMS.has(algorithm)) {
    throw new RegistryError('UNSUPPORTED', `${operation} ${redactUrl(url)}: cannot verify digest algorithm ${JSON.stringify(algorithm)}`);
  }
  const actual = computeDigest(bytes, algorithm as 'sha256' | 'sha512');
  if (actual !== expected) {
    throw new RegistryError('DIGEST_MISMATCH', `${operation} ${redactUrl(url)}: content has digest ${actual}, expected ${expected}`, {
      status: 200,
    });
  }
  return actual;
}

function headerDigest(response: TransportResponse, operation: string, url: string | URL): string | undefined {
  const value = response.headers.get('docker-content-digest')?.trim();
  if (!value) return undefined;
  if (!/^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/.test(value)) {
    throw new RegistryError('INVALID_RESPONSE', `${operation} ${redactUrl(url)}: Docker-Content-Digest ${JSON.stringify(value.slice(0, 100))} is not a digest`, {
      status: response.status,
    });
  }
  return value;
}

function contentType(response: TransportResponse): string | undefined {
  const value = response.headers.get('content-type')?.split(';', 1)[0]?.trim();
  return value ? value : undefined;
}

function manifestMediaType(response: TransportResponse): string {
  const served = contentType(response);
  if (served && served !== 'application/json' && served !== 'text/plain' && served !== 'application/octet-stream') return served;
  const parsed = parseJson(response.body) as { mediaType?: unknown } | undefined;
  if (parsed && typeof parsed.mediaType === 'string') return parsed.mediaType;
  return served ?? MediaTypes.OCI_MANIFEST;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    return undefined;
  }
}

function uploadLocation(response: TransportResponse, requestUrl: string): URL {
  const location = response.headers.get('location');
  if (!location) {
    throw new RegistryError('REGISTRY_ERROR', `start blob upload ${redactUrl(requestUrl)}: ${response.status} without a Location header`, {
      status: response.status,
    });
  }
  return new URL(location, requestUrl);
}

/**
 * Reads the `rel="next"` target of a `Link` header, resolved against the current URL
 * ({@link https://www.rfc-editor.org/rfc/rfc8288 | RFC 8288}).
 */
export function nextLink(header: string | null, base: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const match = /^\s*<([^>]*)>\s*(.*)$/.exec(part);
    if (!match) continue;
    const params = match[2] ?? '';
    if (/(?:^|;)\s*rel\s*=\s*"?(?:[^";]*\s)?next(?:\s[^";]*)?"?\s*(?:;|$)/i.test(params)) {
      return new URL(match[1] ?? '', base).toString();
    }
  }
  return undefined;
}
