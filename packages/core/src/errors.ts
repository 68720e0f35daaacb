/**
 * The error hierarchy of tagwright. Every error thrown by core is a {@link TagwrightError}
 * with a machine-readable `code`, an optional `cause`, and `name` set to the subclass name,
 * in the manner of sigstore-js `verify/src/error.ts`.
 *
 * Messages read `<operation> <what>: <cause>` and never contain a credential: URLs and
 * headers are passed through {@link redact} before they reach a message.
 *
 * @packageDocumentation
 */

/**
 * Base class of every error thrown by tagwright.
 *
 * @typeParam Code - the string literal union of codes a subclass may carry.
 */
export class TagwrightError<Code extends string = string> extends Error {
  /** A stable, machine-readable code, e.g. `INVALID_REFERENCE`. */
  readonly code: Code;

  /**
   * @param code - the machine-readable code.
   * @param message - `<operation> <what>: <cause>`, free of credentials.
   * @param options - `cause`: the underlying error, kept for diagnosis.
   */
  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * The user gave input that cannot be an image reference, repository, tag or digest
 * (OCI distribution spec, {@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#pulling-manifests | Pulling manifests}).
 * Thrown before anything is sent to a registry.
 */
export class InvalidReferenceError extends TagwrightError<
  'INVALID_REFERENCE' | 'INVALID_TAG' | 'INVALID_DIGEST' | 'INVALID_REPOSITORY'
> {
  /** The input exactly as given. */
  readonly input: string;

  constructor(
    code: InvalidReferenceError['code'],
    input: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(code, `parse ${describeCode(code)} ${JSON.stringify(input)}: ${reason}`, options);
    this.input = input;
  }
}

function describeCode(code: InvalidReferenceError['code']): string {
  switch (code) {
    case 'INVALID_TAG':
      return 'tag';
    case 'INVALID_DIGEST':
      return 'digest';
    case 'INVALID_REPOSITORY':
      return 'repository';
    default:
      return 'image reference';
  }
}

/**
 * One entry of the `errors` array a registry returns
 * ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes | OCI distribution spec, Error codes}).
 */
export interface OciErrorEntry {
  /** e.g. `MANIFEST_UNKNOWN`, `DENIED`, `UNAUTHORIZED`. */
  code: string;
  message?: string;
  detail?: unknown;
}

/**
 * A registry answered with an error status, or could not be reached.
 * Keeps the HTTP status (0 when no response arrived), the OCI error codes and whether a
 * retry could succeed; the message names the operation and the redacted URL.
 *
 * Codes: `REGISTRY_ERROR` (another error status), `UNAUTHORIZED` (401/403: credentials missing,
 * rejected or lacking permission), `NOT_FOUND` (404), `DIGEST_MISMATCH` (content or header digest
 * differs from the one expected), `NETWORK_ERROR` (no response: refused, reset, DNS),
 * `UNSUPPORTED` (a feature or digest algorithm the client or registry lacks), `INVALID_RESPONSE`
 * (a 2xx answer whose body does not have the shape the API defines: nothing is decided from it),
 * `TIMEOUT` (no connection, or no byte, within the client's timeouts), `ABORTED` (the caller's
 * signal stopped the request), `TOKEN_SERVER_ERROR` (the token server failed, e.g. a 5xx: the
 * credentials were not judged).
 */
export class RegistryError extends TagwrightError<
  | 'REGISTRY_ERROR'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'DIGEST_MISMATCH'
  | 'NETWORK_ERROR'
  | 'UNSUPPORTED'
  | 'INVALID_RESPONSE'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'TOKEN_SERVER_ERROR'
> {
  /** HTTP status code; 0 when the request never got a response. */
  readonly status: number;
  /** The `errors` array from the response body, empty when there was none. */
  readonly ociErrors: OciErrorEntry[];
  /** True when the failure is transient (429, 502, 503, 504, connection reset). */
  readonly retryable: boolean;

  constructor(
    code: RegistryError['code'],
    message: string,
    details: { status?: number; ociErrors?: OciErrorEntry[]; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(code, message, { cause: details.cause });
    this.status = details.status ?? 0;
    this.ociErrors = details.ociErrors ?? [];
    this.retryable = details.retryable ?? false;
  }
}

/** A signature or attestation did not satisfy the verification policy (see sigstore module). */
export class VerificationError extends TagwrightError<
  | 'NO_SIGNATURE'
  | 'WRONG_IDENTITY'
  | 'WRONG_ISSUER'
  | 'DIGEST_MISMATCH'
  | 'BAD_SIGNATURE'
  | 'UNTRUSTED_CHAIN'
  | 'NO_LOG_ENTRY'
  | 'POLICY_NOT_SATISFIED'
  | 'VERIFICATION_FAILED'
> {}

/** A plan cannot be carried out under the rules (e.g. no rollback candidate, an unsafe delete). */
export class PolicyError extends TagwrightError<string> {}

/**
 * The user's configuration is wrong (a malformed input, regex, template, key or token).
 * Reported as the user's mistake, as codeql-action's `ConfigurationError` is.
 */
export class ConfigurationError extends TagwrightError<'INVALID_INPUT' | 'MISSING_INPUT' | string> {}

/**
 * Thrown when a mutation failed part way: carries a report of exactly what was and was not
 * changed, so that the caller can print it and the user can repair by hand.
 *
 * @typeParam Report - the shape of the partial report (e.g. the promote report).
 */
export class PartialMutationError<Report = unknown> extends TagwrightError<'PARTIAL_MUTATION'> {
  /** What was changed before the failure, and what was not. */
  readonly report: Report;

  constructor(message: string, report: Report, options?: { cause?: unknown }) {
    super('PARTIAL_MUTATION', message, options);
    this.report = report;
  }
}

/** Returns the message of any thrown value, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
