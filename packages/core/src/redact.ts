/**
 * Removes credentials from text before it can reach a log, an error message or an output.
 *
 * Handles: userinfo in URLs (`https://user:pass@host` → `https://***@host`), query parameters
 * that carry secrets (`token`, `access_token`, `password`, `secret`, `sig`, `signature`, `code`),
 * `Authorization`/`Proxy-Authorization` header values, and `Bearer`/`Basic` credentials anywhere.
 *
 * @param text - any string; not modified in place.
 * @returns the text with every credential replaced by `***`.
 */
export function redact(text: string): string {
  return text
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
