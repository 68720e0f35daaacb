/**
 * Trust material as data: a parsed `trusted_root.json`
 * ({@link https://github.com/sigstore/protobuf-specs/blob/main/protos/sigstore_trustroot.proto | sigstore_trustroot.proto}).
 * Pure; reading files and TUF live in `trust-loader.ts`.
 *
 * @packageDocumentation
 */
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { ConfigurationError } from '../errors.js';

/** Where a trusted root came from. */
export type TrustedRootOrigin = 'file' | 'tuf' | 'embedded-seed' | 'given';

/** A checked trusted root, ready for {@link verifySignatures}. */
export interface SigstoreTrust {
  /** The parsed protobuf message. */
  trustedRoot: TrustedRoot;
  /** Where it came from, for logs. */
  origin: TrustedRootOrigin;
  /** A human description, e.g. a file path or a TUF mirror URL. */
  description: string;
  /** Notes for the caller to log (e.g. fell back to the embedded TUF seed). */
  warnings: string[];
}

/**
 * Parses and checks a `trusted_root.json` document.
 *
 * Beyond the protobuf shape, it rejects a transparency log or CT log key without
 * `validFor.start` (sigstore-conformance `trust-root-tlog-missing-validity-start_fail`;
 * sigstore-js 3.1.1 does not check it) and a root with no certificate authority and no
 * transparency log.
 *
 * @param json - the parsed JSON.
 * @param description - names the input in errors (e.g. the file path).
 * @returns the checked trust.
 * @throws ConfigurationError naming the input when it is not a usable trusted root.
 */
export function parseTrustedRoot(
  json: unknown,
  description: string,
  origin: TrustedRootOrigin = 'given',
): SigstoreTrust {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ConfigurationError('INVALID_INPUT', `read trusted root ${description}: not a JSON object`);
  }
  let trustedRoot: TrustedRoot;
  try {
    trustedRoot = TrustedRoot.fromJSON(json);
  } catch (error) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read trusted root ${description}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  for (const [kind, logs] of [
    ['transparency log', trustedRoot.tlogs],
    ['CT log', trustedRoot.ctlogs],
  ] as const) {
    for (const log of logs) {
      if (!log.publicKey?.validFor?.start) {
        throw new ConfigurationError(
          'INVALID_INPUT',
          `read trusted root ${description}: ${kind} ${log.baseUrl || '(no URL)'} has a key without validFor.start`,
        );
      }
    }
  }
  if (trustedRoot.certificateAuthorities.length === 0 && trustedRoot.tlogs.length === 0) {
    throw new ConfigurationError(
      'INVALID_INPUT',
      `read trusted root ${description}: no certificate authority and no transparency log`,
    );
  }
  return { trustedRoot, origin, description, warnings: [] };
}
