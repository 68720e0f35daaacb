/**
 * Fault injection between a client and a real registry (or token server): see {@link startFaultProxy}.
 */
export { startFaultProxy } from './proxy.js';
export type { Fault, FaultCount, FaultProxy, FaultRule, ProxyLogEntry } from './proxy.js';
export { criticalPath } from './critical-path.js';
export type { CriticalPath, TimedRequest } from './critical-path.js';
export { measureRoundTrips } from './round-trips.js';
export type { RoundTrips } from './round-trips.js';
