/**
 * Test support for the retention tests (not exported from core): realistic digests and artifact tags.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';

/** A sha256 digest derived from a label, e.g. `digestOf('sha-1 amd64')`. */
export function digestOf(label: string): string {
  return `sha256:${createHash('sha256').update(label).digest('hex')}`;
}

/** The legacy cosign tag of a subject: `sha256-<hex>.sig` / `.att` / `.sbom`. */
export function cosignTag(subject: string, kind: 'sig' | 'att' | 'sbom'): string {
  return `${fallbackTag(subject)}.${kind}`;
}

/** The referrers fallback index tag of a subject: `sha256-<hex>`. */
export function fallbackTag(subject: string): string {
  return subject.replace(':', '-');
}

/** `now` minus some days. */
export function daysBefore(now: Date, days: number): Date {
  return new Date(now.getTime() - days * 86_400_000);
}
