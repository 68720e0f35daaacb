/**
 * Content digests as OCI references carry them. Pure.
 *
 * @see {@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests | OCI image spec, Digests}
 * @packageDocumentation
 */
import { InvalidReferenceError } from '../errors.js';

const DIGEST_SHAPE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

/**
 * Says what is wrong with a digest, for an error message. Accepted: `sha256:` + 64 or
 * `sha512:` + 128 lowercase hex characters (the registered algorithms of the
 * {@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md#registered-algorithms | image spec}).
 *
 * @param digest - e.g. `sha256:6c3c…`.
 * @returns `undefined` for a valid digest, else the problem.
 */
export function digestProblem(digest: string): string | undefined {
  if (digest.length === 0) return 'is empty';
  const match = DIGEST_SHAPE.exec(digest);
  if (!match) return 'must look like "sha256:<64 hex characters>"';
  const algorithm = match[1] ?? '';
  const hex = match[2] ?? '';
  const length = DIGEST_HEX_LENGTH[algorithm];
  if (length === undefined) return `uses unsupported algorithm ${JSON.stringify(algorithm)}; expected sha256 or sha512`;
  if (!/^[a-f0-9]*$/.test(hex)) return `${algorithm} hex must be lowercase hexadecimal`;
  if (hex.length !== length) return `${algorithm} hex must be ${length} characters, got ${hex.length}`;
  return undefined;
}

/**
 * Tells whether `text` is a digest `sha256:<64 hex>` or `sha512:<128 hex>` (lowercase hex).
 *
 * @param text - a candidate digest.
 * @returns true when {@link digestProblem} finds nothing wrong.
 */
export function isDigest(text: string): boolean {
  return digestProblem(text) === undefined;
}

/**
 * Checks a digest: `algorithm:hex` with `sha256` (64 lowercase hex characters) or `sha512`
 * (128) ({@link https://github.com/opencontainers/image-spec/blob/main/descriptor.md#digests | image-spec, Digests}).
 *
 * @param digest - e.g. `sha256:6c3c624b58dbbcd3c0dd82b4c53f04194d1247c6eebdaab7c610cf7d66709b3b`.
 * @returns the digest, unchanged.
 * @throws {@link InvalidReferenceError} `INVALID_DIGEST`, naming the digest and what is wrong.
 */
export function validateDigest(digest: string): string {
  const reason = digestProblem(digest);
  if (reason) throw new InvalidReferenceError('INVALID_DIGEST', digest, reason);
  return digest;
}
