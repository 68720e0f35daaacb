/**
 * The critical path of a set of logged requests: the longest chain of requests that had to wait for
 * each other. Request B depends on A when B started after A ended (`B.startMs > A.endMs`); requests
 * that overlapped in time did not wait for each other. Pure: data in, data out.
 */

/** A request's time span, as the fault proxy logs it (`performance.now()` milliseconds). */
export interface TimedRequest {
  startMs: number;
  /** Undefined while open: such a request ends no chain's link. */
  endMs?: number;
}

/** The longest chain found. */
export interface CriticalPath<T extends TimedRequest> {
  /** Requests on the chain (round trips that had to follow each other). */
  length: number;
  /** The chain, first request first. */
  chain: T[];
}

/**
 * Derives the critical path of `requests` in O(n log n).
 *
 * @param requests - logged requests, in any order; ones still open (no `endMs`) count as ending never.
 * @returns the length of the longest chain and its requests; `{ length: 0, chain: [] }` for none.
 * @example
 * ```ts
 * criticalPath([{ startMs: 0, endMs: 25 }, { startMs: 1, endMs: 26 }, { startMs: 30, endMs: 55 }]).length; // 2
 * ```
 */
export function criticalPath<T extends TimedRequest>(requests: readonly T[]): CriticalPath<T> {
  const byStart = [...requests].sort((a, b) => a.startMs - b.startMs);
  const byEnd = requests.filter((r) => r.endMs !== undefined).sort((a, b) => (a.endMs ?? 0) - (b.endMs ?? 0));
  const chainLength = new Map<T, number>();
  const previous = new Map<T, T | undefined>();
  let endIndex = 0;
  let best: T | undefined;
  let bestLength = 0;
  let overall: T | undefined;
  let overallLength = 0;
  for (const request of byStart) {
    // Every request that ended strictly before this one started started earlier: its chain is known.
    while (endIndex < byEnd.length && (byEnd[endIndex]!.endMs ?? Infinity) < request.startMs) {
      const ended = byEnd[endIndex]!;
      const length = chainLength.get(ended) ?? 1;
      if (length > bestLength) {
        bestLength = length;
        best = ended;
      }
      endIndex += 1;
    }
    const length = bestLength + 1;
    chainLength.set(request, length);
    previous.set(request, best);
    if (length > overallLength) {
      overallLength = length;
      overall = request;
    }
  }
  const chain: T[] = [];
  for (let at = overall; at !== undefined; at = previous.get(at)) chain.unshift(at);
  return { length: overallLength, chain };
}
