/**
 * The parts of an image name that are not tags or digests: the registry host and the image ID
 * a repository name must not look like. Pure. `parseReference` (registry module) builds on them.
 *
 * @see {@link https://github.com/distribution/reference/blob/main/reference.go | distribution/reference grammar}
 * @packageDocumentation
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';

/**
 * A registry host with an optional port: a domain name or IPv4 address (`ghcr.io`,
 * `127.0.0.1`, `localhost`), or an IPv6 address in brackets with hex digits and `:` only
 * (`[::1]`; no embedded IPv4 with dots, no `%zone`), then `:` and a port of 1 to 5 digits.
 * This is distribution/reference's `domainAndPort`, with the port length bounded.
 */
export const REGISTRY_HOST_GRAMMAR = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]{1,5})?$`,
);

/**
 * Tells whether `host` is a registry host with an optional port (see {@link REGISTRY_HOST_GRAMMAR}).
 *
 * @param host - e.g. `ghcr.io`, `127.0.0.1:5000`, `[::1]:5000`.
 * @returns true when it matches.
 */
export function isRegistryHost(host: string): boolean {
  return REGISTRY_HOST_GRAMMAR.test(host);
}

/** An image ID as Docker prints it: 64 lowercase hex characters (distribution/reference's `identifier`). */
export const IMAGE_ID = /^[a-f0-9]{64}$/;

/**
 * Tells whether `text` is an image ID (64 lowercase hex characters), which a repository name
 * without a registry must not be: it could not be told from the ID.
 *
 * @param text - a candidate.
 * @returns true when it matches {@link IMAGE_ID}.
 */
export function isImageId(text: string): boolean {
  return IMAGE_ID.test(text);
}
