/**
 * Image references, repositories, tags and digests: pure, strict parsing in the manner of
 * go-containerregistry's `name` package and the grammar of `distribution/reference`.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI distribution spec, Pulling manifests}
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests | OCI image spec, Digests}
 * @packageDocumentation
 */
import { InvalidReferenceError } from '../errors.js';
import { digestProblem, isDigest } from '../grammar/digest.js';
import { isImageId, isRegistryHost } from '../grammar/name.js';
import { tagProblem } from '../grammar/tag.js';

/**
 * A repository on a registry, e.g. `{ registry: 'ghcr.io', repository: 'acme/app' }`.
 *
 * `registry` is the host as users write it (`docker.io`, `ghcr.io`, `127.0.0.1:5000`,
 * `[::1]:5000`); `repository` is the `<name>` of the distribution spec
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | Pulling manifests}).
 */
export interface RepositoryReference {
  /** Registry host with an optional port, e.g. `docker.io` or `127.0.0.1:5000`. */
  registry: string;
  /** Repository name, lowercase path components joined by `/`, e.g. `library/alpine`. */
  repository: string;
}

/**
 * A manifest in a repository, addressed by tag, by digest, or by both (`repo:tag@digest`:
 * the digest wins when fetching, as Docker does).
 */
export interface ImageReference extends RepositoryReference {
  /** Tag, e.g. `1.2.3`; absent when the reference is by digest only or names no tag. */
  tag?: string;
  /** Digest `algorithm:hex`, e.g. `sha256:…`. */
  digest?: string;
}

/** The Docker Hub registry name references default to. */
export const DOCKER_HUB = 'docker.io';

/**
 * Longest repository path: the path only (after `library/` is added for a Docker Hub
 * official image), not the registry and its `/`, as `distribution/reference` counts it.
 */
const PATH_LENGTH_MAX = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;

export { validateTag } from '../grammar/tag.js';
export { validateDigest } from '../grammar/digest.js';

/**
 * Parses an image reference the way Docker does: `[registry/]repository[:tag][@digest]`.
 * A name without a registry is on `docker.io`, and a single-component Docker Hub name gets
 * `library/` (`alpine` → `docker.io/library/alpine`); `index.docker.io` becomes `docker.io`.
 * The first path component is a registry when it contains `.` or `:` or is `localhost`.
 * No tag is added: callers that need one use `latest`, as Docker does.
 *
 * Refused, as `distribution/reference` refuses them: a digest alone (`sha256:<64 hex>` is a
 * digest, not repository `sha256` with a tag), a repository name of 64 hex characters without a
 * registry (it cannot be told from an image ID), an IPv6 host with anything but hex digits and
 * `:` inside the brackets, and a repository path longer than 255 characters. The 255-character
 * limit counts the path only (`library/alpine` for `alpine`), not the registry and its `/`.
 *
 * Follows the reference grammar of `distribution/reference` and the `<name>`/`<reference>`
 * rules of the {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | OCI distribution spec}.
 *
 * @param input - e.g. `ghcr.io/acme/app:1.2.3`, `alpine`, `127.0.0.1:5000/app@sha256:…`.
 * @returns the parsed reference; `tag`/`digest` only when present.
 * @throws {@link InvalidReferenceError} `INVALID_REFERENCE`, whose message names the input and
 *   what is wrong (empty, URL scheme, a digest alone, uppercase repository, bad tag, bad digest,
 *   path over 255 characters, …).
 * @example
 * ```ts
 * parseReference('alpine:3.20');
 * // { registry: 'docker.io', repository: 'library/alpine', tag: '3.20' }
 * parseReference('localhost:5000/team/app@sha256:' + 'a'.repeat(64));
 * // { registry: 'localhost:5000', repository: 'team/app', digest: 'sha256:aaa…' }
 * ```
 */
export function parseReference(input: string): ImageReference {
  const fail = (reason: string): InvalidReferenceError =>
    new InvalidReferenceError('INVALID_REFERENCE', input, reason);
  checkCommon(input, fail);

  let rest = input;
  let digest: string | undefined;
  let tag: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digestProblem(digest);
    if (problem) throw fail(`digest ${JSON.stringify(digest)} ${problem}`);
  }
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/') && !rest.slice(colon).includes(']')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    const problem = tagProblem(tag);
    if (problem) throw fail(`tag ${JSON.stringify(tag)} ${problem}`);
  }
  const name = splitName(rest, fail);
  return {
    ...name,
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * Parses a repository (`[registry/]repository`, no tag, no digest) with the defaults and the
 * refusals of {@link parseReference} (a digest alone, a 64-hex name, a path over 255 characters).
 *
 * @param input - e.g. `ghcr.io/acme/app`, `alpine`, `127.0.0.1:5000/team/app`.
 * @returns the registry and repository.
 * @throws {@link InvalidReferenceError} `INVALID_REPOSITORY` when the input is not a repository
 *   name or carries a tag or digest.
 */
export function parseRepository(input: string): RepositoryReference {
  const fail = (reason: string): InvalidReferenceError =>
    new InvalidReferenceError('INVALID_REPOSITORY', input, reason);
  checkCommon(input, fail);
  if (input.includes('@')) throw fail('must not include a digest ("@…"); give the repository only');
  const colon = input.lastIndexOf(':');
  if (colon > input.lastIndexOf('/') && !input.slice(colon).includes(']')) {
    throw fail(`must not include a tag (${JSON.stringify(input.slice(colon))}); give the repository only`);
  }
  return splitName(input, fail);
}

/**
 * Formats a reference canonically: `registry/repository[:tag][@digest]`, e.g.
 * `docker.io/library/alpine:3.20`. The inverse of {@link parseReference} for canonical input.
 *
 * @param ref - a reference; `tag` and `digest` are written when set.
 * @returns the canonical string.
 */
export function formatReference(ref: ImageReference): string {
  let out = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) out += `:${ref.tag}`;
  if (ref.digest !== undefined) out += `@${ref.digest}`;
  return out;
}

function checkCommon(input: string, fail: (reason: string) => InvalidReferenceError): void {
  if (input.length === 0) throw fail('is empty');
  if (/\s/.test(input)) throw fail('contains whitespace');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    throw fail('must not start with a URL scheme; write "registry/repository[:tag][@digest]"');
  }
  if (isDigest(input)) {
    throw fail('is a digest, not an image reference; write "repository@' + input + '"');
  }
}

function splitName(name: string, fail: (reason: string) => InvalidReferenceError): RepositoryReference {
  if (name.length === 0) throw fail('has no repository name');
  const slash = name.indexOf('/');
  let registry = DOCKER_HUB;
  let repository = name;
  if (slash !== -1) {
    const first = name.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      repository = name.slice(slash + 1);
    }
  }
  if (!isRegistryHost(registry)) throw fail(`registry ${JSON.stringify(registry)} is not a valid host[:port]`);
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (repository.length === 0) throw fail('has no repository name after the registry');
  if (name === repository && isImageId(repository)) {
    throw fail('is 64 hexadecimal characters, which cannot be told from an image ID; give the registry (e.g. "docker.io/<name>")');
  }
  if (registry === DOCKER_HUB && !repository.includes('/')) repository = `library/${repository}`;
  if (repository !== repository.toLowerCase()) throw fail(`repository ${JSON.stringify(repository)} must be lowercase`);
  for (const component of repository.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw fail(
        component.length === 0
          ? `repository ${JSON.stringify(repository)} has an empty path component`
          : `repository path component ${JSON.stringify(component)} must be lowercase letters and digits separated by ".", "_", "__" or "-"`,
      );
    }
  }
  if (repository.length > PATH_LENGTH_MAX) {
    throw fail(`repository path is ${repository.length} characters long; at most ${PATH_LENGTH_MAX} are allowed`);
  }
  return { registry, repository };
}
