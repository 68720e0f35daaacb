import { TagwrightError } from '../errors.js';

/**
 * A Forgejo API call failed. Keeps the HTTP status (0 when no response arrived) and Forgejo's own
 * `message`; the message reads `<operation> <what>: <status> <cause>` and never contains the token.
 */
export class ForgejoError extends TagwrightError<
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'TAG_EXISTS'
  | 'RELEASE_EXISTS'
  | 'VALIDATION_FAILED'
  | 'INVALID_RESPONSE'
  | 'TIMEOUT'
  | 'NETWORK_ERROR'
  | 'FORGEJO_ERROR'
> {
  /** HTTP status; 0 when the request never got a response. */
  readonly status: number;
  /** Forgejo's `message` (redacted), `''` when the body had none. */
  readonly forgejoMessage: string;

  /**
   * @param code - the machine-readable code.
   * @param message - `<operation> <what>: <cause>`, free of credentials.
   * @param details - the HTTP status, Forgejo's message and the cause.
   */
  constructor(code: ForgejoError['code'], message: string, details: { status: number; forgejoMessage?: string; cause?: unknown }) {
    super(code, message, { cause: details.cause });
    this.status = details.status;
    this.forgejoMessage = details.forgejoMessage ?? '';
  }
}

/**
 * `POST /repos/{owner}/{repo}/tags` answered 409: the tag exists already. This is the atomic step of
 * the staging counter on Forgejo: exactly one creator of a name gets the tag, every other one gets this.
 */
export class TagExistsError extends ForgejoError {
  /** The tag that exists. */
  readonly tag: string;

  /**
   * @param tag - the tag name that was asked for.
   * @param message - `<operation> <what>: <cause>`.
   */
  constructor(tag: string, message: string) {
    super('TAG_EXISTS', message, { status: 409 });
    this.tag = tag;
  }
}
