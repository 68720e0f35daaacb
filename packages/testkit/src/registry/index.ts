/**
 * The real-registry test harness: start CNCF distribution (`docker-registry`) on 127.0.0.1
 * without auth, with htpasswd or with bearer tokens, and seed it with images through our client.
 */
export { clientFor } from './client.js';
export { freePort } from './ports.js';
export { READINESS_USER_AGENT, readAccessLog, startRegistry } from './registry.js';
export type { AccessLogEntry, RunningRegistry } from './registry.js';
export { pushImage, pushIndex, pushReferrer, pushTinyImageBlobs, putTinyImage } from './seed.js';
export type { PushImageOptions, SeededImage, TinyImageBlobs } from './seed.js';
export { startTokenServer, FORGEJO_TOKEN_SERVICE } from './token-server.js';
export type { TokenServer, TokenServerOptions } from './token-server.js';
