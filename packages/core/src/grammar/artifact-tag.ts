/**
 * Tags that name an artifact of another manifest rather than a release: cosign's
 * `sha256-<hex>.sig` / `.att` / `.sbom`, and the referrers tag schema `sha256-<hex>`. Pure.
 *
 * @see {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#referrers-tag-schema | OCI distribution spec, Referrers Tag Schema}
 * @see {@link https://github.com/sigstore/cosign/blob/main/specs/SIGNATURE_SPEC.md | cosign signature spec}
 * @packageDocumentation
 */

/**
 * The artifact tag grammar: `<alg>-<64 hex>` optionally followed by `.sig`, `.att` or `.sbom`,
 * with `<alg>` `sha256` or `sha512`. The hex part is 64 characters for both algorithms: the
 * referrers tag schema truncates the encoded digest to 64 characters.
 * Capture groups: 1 algorithm, 2 hex, 3 suffix (absent for a referrers tag).
 */
export const ARTIFACT_TAG_GRAMMAR = /^(sha256|sha512)-([0-9a-f]{64})(?:\.(sig|att|sbom))?$/;

/** What an artifact tag is: a cosign signature, attestation or SBOM, or a referrers fallback tag. */
export type ArtifactTagKind = 'sig' | 'att' | 'sbom' | 'referrers';

/** An artifact tag split into its parts (see {@link parseArtifactTag}). */
export interface ArtifactTag {
  /** `sig`, `att`, `sbom` (cosign) or `referrers` (the referrers tag schema, no suffix). */
  readonly kind: ArtifactTagKind;
  /** The subject's digest algorithm, `sha256` or `sha512`. */
  readonly algorithm: 'sha256' | 'sha512';
  /** The subject's digest hex as written in the tag (64 characters, truncated for sha512). */
  readonly hex: string;
}

/**
 * Reads an artifact tag (`sha256-<64 hex>.sig`, `.att`, `.sbom`, or the referrers tag
 * `sha256-<64 hex>`); any other tag gives `undefined`.
 *
 * @param tag - an image tag.
 * @returns the parts, or `undefined` when the tag is not an artifact tag.
 * @example
 * ```ts
 * parseArtifactTag(`sha256-${'a'.repeat(64)}.sig`); // { kind: 'sig', algorithm: 'sha256', hex: 'aaa…' }
 * parseArtifactTag('1.2.3'); // undefined
 * ```
 */
export function parseArtifactTag(tag: string): ArtifactTag | undefined {
  const match = ARTIFACT_TAG_GRAMMAR.exec(tag);
  if (!match) return undefined;
  return {
    kind: (match[3] as 'sig' | 'att' | 'sbom' | undefined) ?? 'referrers',
    algorithm: match[1] as 'sha256' | 'sha512',
    hex: match[2] ?? '',
  };
}
