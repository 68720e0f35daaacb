import { criticalPath } from './critical-path.js';
import type { FaultProxy, ProxyLogEntry } from './proxy.js';

/** What went through a fault proxy while an action ran. */
export interface RoundTrips {
  /** Every request the proxy logged meanwhile, in order of arrival. */
  requests: ProxyLogEntry[];
  /** The length of their critical path (see {@link criticalPath}). */
  critical: number;
  /** The requests on that path, first request first. */
  chain: ProxyLogEntry[];
}

/**
 * Runs `action` and returns the requests that went through `proxy` meanwhile with their critical
 * path. With `LATENCY_DEBUG` set, prints the count, the path and the chain (digests shortened).
 *
 * @param proxy - the fault proxy the action's requests go through.
 * @param action - what to measure.
 * @returns see {@link RoundTrips}.
 */
export async function measureRoundTrips(proxy: Pick<FaultProxy, 'log'>, action: () => Promise<unknown>): Promise<RoundTrips> {
  const before = proxy.log.length;
  await action();
  const requests = proxy.log.slice(before);
  const path = criticalPath(requests);
  if (process.env['LATENCY_DEBUG']) {
    const show = (r: ProxyLogEntry): string => `${r.method} ${r.path.replace(/[0-9a-f]{64}/g, '<hex>')} ${r.startMs.toFixed(0)}-${r.endMs?.toFixed(0) ?? ''}`;
    console.log(`${requests.length} requests, critical path ${path.length}:\n${path.chain.map(show).join('\n')}`);
  }
  return { requests, critical: path.length, chain: path.chain };
}
