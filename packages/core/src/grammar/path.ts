/**
 * Paths that must stay inside the repository (or the workspace): changelog files, the
 * directory of a package.json, a file read from a commit. Pure: the check is on the string,
 * nothing is read from disk.
 *
 * @packageDocumentation
 */

/**
 * Says why `path` is not a relative path that stays inside the repository, or `undefined` when
 * it is. Refused: the empty string, an absolute path (`/x`, `\x`, `C:\x`, `C:/x`), any `..`
 * component (with `/` or `\` as separator: `..`, `a/../b`, `a\..\b`), and control characters.
 * `.`, `./docs` and `a/./b` are accepted. Placeholders such as `{version}` are plain characters
 * here.
 *
 * @param path - the path as given, e.g. `CHANGELOG.md`, `packages/api`.
 * @returns the problem, e.g. `climbs out of the repository with ".."`, or `undefined`.
 */
export function repositoryPathProblem(path: string): string | undefined {
  if (path === '') return 'is empty';
  if (/[\x00-\x1f\x7f]/.test(path)) return 'contains a control character';
  if (/^[\\/]/.test(path) || /^[a-zA-Z]:/.test(path)) return 'is absolute; give a path relative to the repository root';
  if (path.split(/[\\/]/).includes('..')) return 'climbs out of the repository with ".."';
  return undefined;
}

/**
 * Tells whether `path` is a relative path that stays inside the repository (see
 * {@link repositoryPathProblem} for the rule).
 *
 * @param path - the path as given.
 * @returns true when {@link repositoryPathProblem} finds nothing wrong.
 */
export function isRepositoryPath(path: string): boolean {
  return repositoryPathProblem(path) === undefined;
}
