/**
 * What a registry host can do beyond the OCI distribution API, known in one place so that no
 * entry point special-cases a host.
 */

/**
 * The API through which manifests are deleted on a registry host.
 *
 * - `distribution`: `DELETE /v2/<name>/manifests/<digest>`
 *   ({@link https://github.com/opencontainers/distribution-spec/blob/main/spec.md#deleting-manifests | OCI distribution spec, Deleting manifests}).
 * - `github-packages`: GitHub Container Registry (`ghcr.io`) does not delete through its
 *   distribution endpoint; package versions are deleted through the GitHub Packages REST API.
 *
 * @param registry - a registry host as in {@link ImageReference.registry}, e.g. `ghcr.io`.
 * @returns which deletion API to use.
 */
export function deletionApiFor(registry: string): 'distribution' | 'github-packages' {
  return registry.toLowerCase() === 'ghcr.io' ? 'github-packages' : 'distribution';
}
