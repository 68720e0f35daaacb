import { ConfigurationError, InvalidReferenceError } from '../errors.js';

/** Input of {@link verificationFooter}. */
export interface VerificationFooterInput {
  /** The published images: any reference to the repository (a tag is dropped) and its digest. */
  images: ReadonlyArray<{ reference: string; digest: string }>;
  /**
   * The certificate identity promote checks (the signing workflow's URI, e.g.
   * `https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3`), exact match.
   */
  certificateIdentity?: string;
  /** The OIDC issuer promote checks, e.g. `https://token.actions.githubusercontent.com`. */
  certificateOidcIssuer?: string;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/**
 * Renders the "Verify" footer of release notes: the image references pinned by digest and, when
 * the certificate identity and OIDC issuer are known, one `cosign verify` command per image that
 * checks the same identity and issuer promote checks
 * ({@link https://docs.sigstore.dev/cosign/verifying/verify/ | cosign verify, keyless}).
 * Without both, the commands are left out (a verification with no identity proves nothing).
 *
 * @param input - see {@link VerificationFooterInput}.
 * @returns Markdown; `''` when there is no image.
 * @throws {@link InvalidReferenceError} `INVALID_DIGEST` for a malformed digest;
 *   `INVALID_REFERENCE` for an empty reference.
 * @throws {@link ConfigurationError} `INVALID_INPUT` when only one of identity and issuer is given.
 * @example
 * ```ts
 * verificationFooter({
 *   images: [{ reference: 'ghcr.io/acme/app:1.2.3', digest: 'sha256:…' }],
 *   certificateIdentity: 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.2.3',
 *   certificateOidcIssuer: 'https://token.actions.githubusercontent.com',
 * });
 * ```
 */
export function verificationFooter(input: VerificationFooterInput): string {
  if (input.images.length === 0) return '';
  const { certificateIdentity: identity, certificateOidcIssuer: issuer } = input;
  if ((identity === undefined) !== (issuer === undefined)) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      'render the verification footer: give both the certificate identity and the OIDC issuer, or neither',
    );
  }
  const pinned = input.images.map(({ reference, digest }) => {
    if (!DIGEST.test(digest)) {
      throw new InvalidReferenceError('INVALID_DIGEST', digest, 'expected <algorithm>:<hex>, e.g. sha256:<64 hex>');
    }
    return `${repositoryOf(reference)}@${digest}`;
  });
  const parts = ['### Verify the images', ''];
  if (identity !== undefined && issuer !== undefined) {
    parts.push('Check the signature of each published digest with [cosign](https://docs.sigstore.dev/cosign/):', '', '```sh');
    for (const ref of pinned) {
      parts.push(
        `cosign verify \\`,
        `  --certificate-identity ${shellQuote(identity)} \\`,
        `  --certificate-oidc-issuer ${shellQuote(issuer)} \\`,
        `  ${shellQuote(ref)}`,
      );
    }
    parts.push('```', '');
  }
  parts.push('| Image | Digest |', '| --- | --- |');
  for (const [index, ref] of pinned.entries()) {
    const digest = input.images[index]!.digest;
    parts.push(`| \`${ref.slice(0, ref.length - digest.length - 1)}\` | \`${digest}\` |`);
  }
  return `${parts.join('\n')}\n`;
}

/** `registry/repo:tag@digest` → `registry/repo` (a `:` after the last `/` starts the tag). */
function repositoryOf(reference: string): string {
  const trimmed = reference.trim();
  if (trimmed === '' || /\s/.test(trimmed)) {
    throw new InvalidReferenceError('INVALID_REFERENCE', reference, 'expected an image reference such as ghcr.io/owner/app:1.2.3');
  }
  const withoutDigest = trimmed.split('@')[0]!;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon >= 0 ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** POSIX single-quoting: safe to paste into any shell. */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9@%+=:,./_-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The signature a verification accepted, as far as the release footer cares. */
export interface VerifiedSigner {
  /** The certificate's subject (SAN), e.g. the workflow identity; absent for a public key. */
  signerIdentity?: string;
  /** The OIDC issuer of the certificate. */
  issuer?: string;
}

/**
 * The identity and issuer the footer's cosign commands check: the exact inputs verified with, else (for
 * regexp policies) those of the signature that verified. None unless the image was verified, and none
 * unless both are known (see {@link verificationFooter}). Pure.
 *
 * @param checked - the exact `certificate-identity` and `certificate-oidc-issuer` inputs, when given.
 * @param verification - undefined or `verified: false` when the image was not verified; else the first
 *   accepted signature, when known.
 * @returns both fields, or an empty object.
 */
export function footerSigner(
  checked: Pick<VerificationFooterInput, 'certificateIdentity' | 'certificateOidcIssuer'>,
  verification: { verified: boolean; signature?: VerifiedSigner } | null | undefined,
): Pick<VerificationFooterInput, 'certificateIdentity' | 'certificateOidcIssuer'> {
  if (!verification?.verified) return {};
  const certificateIdentity = checked.certificateIdentity ?? verification.signature?.signerIdentity;
  const certificateOidcIssuer = checked.certificateOidcIssuer ?? verification.signature?.issuer;
  return certificateIdentity !== undefined && certificateOidcIssuer !== undefined ? { certificateIdentity, certificateOidcIssuer } : {};
}

/** How an image was verified, for {@link verifyCommands}. */
export type VerifyMethod =
  | { kind: 'keyless'; certificateIdentity: string; certificateOidcIssuer: string }
  | { kind: 'key'; keyLocation: string; insecureIgnoreTlog?: boolean };

/**
 * Renders the exact cosign commands that repeat a verification of one pinned image: `cosign verify`
 * with `--certificate-identity … --certificate-oidc-issuer …` (keyless) or `--key <key location>`, plus
 * `cosign verify-attestation --type slsaprovenance1 …` when provenance was required
 * ({@link https://docs.sigstore.dev/cosign/verifying/verify/ | cosign verify}). Pure; shared by the
 * GitHub and Forgejo release notes.
 *
 * @param image - `registry/repository@sha256:…`.
 * @param method - see {@link VerifyMethod}.
 * @param provenance - true when an SLSA provenance v1 attestation was required.
 * @returns one command per array item, each spread over lines ending with ` \`; values POSIX-quoted.
 * @throws {@link InvalidReferenceError} `INVALID_REFERENCE` when `image` is not pinned by digest.
 */
export function verifyCommands(image: string, method: VerifyMethod, provenance: boolean): string[] {
  const at = image.lastIndexOf('@');
  if (at <= 0 || !DIGEST.test(image.slice(at + 1)) || /\s/.test(image)) {
    throw new InvalidReferenceError('INVALID_REFERENCE', image, 'expected an image pinned by digest, registry/repository@sha256:<hex>');
  }
  const signer =
    method.kind === 'keyless'
      ? [`  --certificate-identity ${shellQuote(method.certificateIdentity)} \\`, `  --certificate-oidc-issuer ${shellQuote(method.certificateOidcIssuer)} \\`]
      : [`  --key ${shellQuote(method.keyLocation)} \\`, ...(method.insecureIgnoreTlog ? ['  --insecure-ignore-tlog=true \\'] : [])];
  const commands = [['cosign verify \\', ...signer, `  ${shellQuote(image)}`].join('\n')];
  if (provenance) commands.push(['cosign verify-attestation --type slsaprovenance1 \\', ...signer, `  ${shellQuote(image)}`].join('\n'));
  return commands;
}
