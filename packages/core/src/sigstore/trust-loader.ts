/**
 * Adapter: obtains a trusted root (a file, or Sigstore public-good via TUF with the seed
 * sigstore-js ships as offline fallback). The only I/O of trust handling.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { getTrustedRoot } from '@sigstore/tuf';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { ConfigurationError } from '../errors.js';
import type { CompiledPolicy } from './policy.js';
import { parseTrustedRoot, type SigstoreTrust } from './trust.js';

/** The public-good Sigstore TUF mirror. */
export const PUBLIC_GOOD_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

/** Where to take trust from. */
export type TrustSource =
  /** A `trusted_root.json` file (air-gapped, tests, GitHub's instance, private deployments). */
  | { trustedRootPath: string }
  /**
   * Sigstore public-good through TUF. `offline: true` skips the network and uses the TUF seed
   * shipped with sigstore-js (`@sigstore/tuf/seeds.json`).
   */
  | { instance: 'public-good'; tufCachePath?: string; offline?: boolean; timeoutMs?: number }
  /**
   * GitHub's Sigstore instance. sigstore-js ships no TUF root for `tuf-repo.github.com`, so
   * its `trusted_root.json` must be given.
   */
  | { instance: 'github'; trustedRootPath: string };

/**
 * Reads and checks a `trusted_root.json` file.
 *
 * @param path - the file.
 * @returns the trust, origin `file`.
 * @throws ConfigurationError naming the file when it cannot be read or is not a trusted root.
 */
export async function readTrustedRootFile(path: string): Promise<SigstoreTrust> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read trusted root ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError('INVALID_INPUT', `read trusted root ${path}: not JSON`, { cause: error });
  }
  return parseTrustedRoot(json, path, 'file');
}

/**
 * The public-good trusted root that sigstore-js ships in its TUF seed (`@sigstore/tuf/seeds.json`).
 * It ages: material signed after a key rotation needs a fresher root from TUF.
 */
export async function embeddedPublicGoodTrustedRoot(): Promise<SigstoreTrust> {
  const seeds = (await import('@sigstore/tuf/seeds.json', { with: { type: 'json' } })).default as Record<
    string,
    { targets?: Record<string, string> }
  >;
  const encoded = seeds[PUBLIC_GOOD_TUF_MIRROR]?.targets?.['trusted_root.json'];
  if (!encoded) {
    throw new ConfigurationError('INVALID_INPUT', 'read embedded TUF seed: no trusted_root.json target in @sigstore/tuf/seeds.json');
  }
  const json: unknown = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  return parseTrustedRoot(json, '@sigstore/tuf embedded seed (public-good)', 'embedded-seed');
}

/**
 * Loads trust material once, before verification.
 *
 * With a key-based policy (`options.policy.kind === 'public-key'`) and the public-good instance, no
 * TUF update is attempted: a key needs no certificate authority, only the transparency-log keys
 * (and none with `insecureIgnoreTlog`), which the trusted root embedded in sigstore-js carries. This
 * is cosign's behaviour with `--key`; pass a `trustedRootPath` for a newer or private log.
 *
 * @param source - see {@link TrustSource}.
 * @param options - `policy`: the compiled policy (its `kind` and `insecureIgnoreTlog` decide whether TUF is needed).
 * @returns the trust; `warnings` says when the TUF update failed and the embedded seed was used.
 * @throws ConfigurationError when a given file is unreadable or not a trusted root.
 * @example
 * ```ts
 * const trust = await loadTrust({ instance: 'public-good' });
 * const result = verifySignatures(candidates, { digest }, compilePolicy(policy), trust);
 * ```
 */
export async function loadTrust(
  source: TrustSource,
  options: { policy?: Pick<CompiledPolicy, 'kind' | 'insecureIgnoreTlog'> } = {},
): Promise<SigstoreTrust> {
  if ('trustedRootPath' in source) return readTrustedRootFile(source.trustedRootPath);
  if (options.policy?.kind === 'public-key') {
    const trust = await embeddedPublicGoodTrustedRoot();
    trust.description = options.policy.insecureIgnoreTlog
      ? `${trust.description}; no TUF update (a public key was given and no log entry is required)`
      : `${trust.description}; no TUF update (a public key was given: only the transparency-log keys are used)`;
    return trust;
  }
  if (source.offline) {
    const trust = await embeddedPublicGoodTrustedRoot();
    trust.warnings.push('using the public-good trusted root embedded in sigstore-js (offline mode); it may be out of date');
    return trust;
  }
  try {
    const root = await getTrustedRoot({
      mirrorURL: PUBLIC_GOOD_TUF_MIRROR,
      ...(source.tufCachePath ? { cachePath: source.tufCachePath } : {}),
      ...(source.timeoutMs ? { timeout: source.timeoutMs } : {}),
    });
    return parseTrustedRoot(TrustedRoot.toJSON(root), `TUF ${PUBLIC_GOOD_TUF_MIRROR}`, 'tuf');
  } catch (error) {
    if (error instanceof ConfigurationError) throw error;
    const trust = await embeddedPublicGoodTrustedRoot();
    trust.warnings.push(
      `TUF update from ${PUBLIC_GOOD_TUF_MIRROR} failed (${error instanceof Error ? error.message : String(error)}); ` +
        'using the public-good trusted root embedded in sigstore-js, which may be out of date',
    );
    return trust;
  }
}
