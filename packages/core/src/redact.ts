const secrets = new Set<string>();
/** Shorter values are not registered: they would blank out ordinary words. */
const MIN_SECRET_LENGTH = 4;

/**
 * Registers a secret value (a password, a token) so that {@link redact} removes it wherever it appears,
 * also where no header or URL shape gives it away (a registry echoing `user:password` in an error body).
 * Its base64 and URL-encoded forms are removed too. Process-wide, like `core.setSecret` of
 * `@actions/core`; registering a value twice is harmless.
 *
 * @param value - the secret; `undefined` and values shorter than 4 characters are ignored.
 */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_SECRET_LENGTH) return;
  for (const form of [value, encodeURIComponent(value), Buffer.from(value, 'utf8').toString('base64')]) secrets.add(form);
}

/**
 * Removes credentials from text before it can reach a log, an error message or an output.
 *
 * Handles: every value given to {@link registerSecret}, userinfo in URLs (`https://user:pass@host` → `https://***@host`), query parameters
 * that carry secrets (`token`, `access_token`, `password`, `secret`, `sig`, `signature`, `code`),
 * `Authorization`/`Proxy-Authorization` header values, and `Bearer`/`Basic` credentials anywhere.
 *
 * @param text - any string; not modified in place.
 * @returns the text with every credential replaced by `***`.
 */
export function redact(text: string): string {
  let cleaned = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (cleaned.includes(secret)) cleaned = cleaned.split(secret).join('***');
  }
  return cleaned
    .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@')
    .replace(
      /([?&](?:access_token|token|password|secret|sig|signature|code|refresh_token|client_secret)=)[^&#\s"']*/gi,
      '$1***',
    )
    .replace(/((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi, '$1***')
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/g, '$1 ***');
}

/**
 * Redacts a URL for display: drops userinfo and secret query parameters.
 *
 * @param url - an absolute URL (string or URL object).
 * @returns the redacted URL string; the input when it is not a URL.
 */
export function redactUrl(url: string | URL): string {
  return redact(String(url));
}
