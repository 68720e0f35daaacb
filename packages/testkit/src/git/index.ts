/** The git identity of commits made by tests (no system config is read). */
export const GIT_TEST_IDENTITY = {
  GIT_AUTHOR_NAME: 'Ada Lovelace',
  GIT_AUTHOR_EMAIL: 'ada@example.com',
  GIT_COMMITTER_NAME: 'Ada Lovelace',
  GIT_COMMITTER_EMAIL: 'ada@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
} as const;

/** `process.env` with {@link GIT_TEST_IDENTITY} and `overrides`, for git run by tests. */
export function gitTestEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...GIT_TEST_IDENTITY, ...overrides };
}
