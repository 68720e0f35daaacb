/**
 * The CI context of a run, read from GitHub Actions, Forgejo Actions or GitLab CI variables, in the
 * terms the action bundles read (`GITHUB_*`, as the runner sets them). Pure: the environment is given.
 */

/** Which CI the variables came from. */
export type CiProvider = 'github' | 'gitlab' | 'none';

/** Credentials for one registry host, from CI variables (GitLab's `CI_REGISTRY_*`). */
export interface RegistryLogin {
  host: string;
  username: string;
  password: string;
}

/** The context a subcommand runs in. */
export interface CiContext {
  provider: CiProvider;
  /** `GITHUB_*` variables for the bundle (`GITHUB_REF`, `GITHUB_SHA`, `GITHUB_EVENT_NAME`, …). */
  env: Record<string, string>;
  /** The values `${{ github.<field> }}` defaults read: `ref`, `sha`, `run_attempt`. */
  github: Record<string, string>;
  /** A pull request (merge request) event payload to write to a file for `GITHUB_EVENT_PATH`. */
  eventPayload?: { pull_request: { number: number } };
  /** Registry credentials the CI provides, e.g. GitLab's job token for its registry. */
  registryLogin?: RegistryLogin;
  /** Names of the variables each field came from, for messages (never their values). */
  sources: Record<string, string>;
}

const GITHUB_VARIABLES = [
  'GITHUB_REF',
  'GITHUB_SHA',
  'GITHUB_EVENT_NAME',
  'GITHUB_EVENT_PATH',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_RUN_ID',
  'GITHUB_REPOSITORY',
  'GITHUB_SERVER_URL',
  'GITHUB_API_URL',
  'GITHUB_WORKSPACE',
] as const;

/**
 * Reads the CI context:
 * - GitHub Actions and Forgejo Actions (`GITHUB_ACTIONS=true`, or any `GITHUB_REF`/`GITHUB_SHA`):
 *   the `GITHUB_*` variables as they are (`GITHUB_RUN_ATTEMPT` may be absent on Forgejo);
 * - GitLab CI (`GITLAB_CI`, or `CI_COMMIT_SHA` without `GITHUB_SHA`): `CI_COMMIT_TAG` gives
 *   `refs/tags/<tag>` (event `push`), `CI_MERGE_REQUEST_IID` a merge request build (event
 *   `pull_request` with that number, ref `refs/merge-requests/<iid>/head`), else
 *   `CI_COMMIT_BRANCH` or `CI_COMMIT_REF_NAME` gives `refs/heads/<branch>`; `CI_COMMIT_SHA` the
 *   commit; `CI_PIPELINE_SOURCE` `schedule` is the `schedule` event; `CI_PROJECT_PATH`,
 *   `CI_PROJECT_DIR` and `CI_PIPELINE_ID` the repository, workspace and run id;
 *   `CI_REGISTRY_USER`/`CI_REGISTRY_PASSWORD` log in to `CI_REGISTRY`.
 */
export function readCiContext(env: Readonly<Record<string, string | undefined>>): CiContext {
  const value = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const githubLike = value('GITHUB_ACTIONS') === 'true' || value('GITHUB_REF') !== undefined || value('GITHUB_SHA') !== undefined;
  const gitlab = !githubLike && (value('GITLAB_CI') !== undefined || value('CI_COMMIT_SHA') !== undefined);
  const context: CiContext = { provider: githubLike ? 'github' : gitlab ? 'gitlab' : 'none', env: {}, github: {}, sources: {} };
  const set = (variable: string, given: string | undefined, source: string, field?: string): void => {
    if (given === undefined) return;
    context.env[variable] = given;
    if (field) {
      context.github[field] = given;
      context.sources[field] = source;
    }
  };
  if (!gitlab) {
    for (const variable of GITHUB_VARIABLES) set(variable, value(variable), variable);
    set('GITHUB_REF', value('GITHUB_REF'), 'GITHUB_REF', 'ref');
    set('GITHUB_SHA', value('GITHUB_SHA'), 'GITHUB_SHA', 'sha');
    set('GITHUB_RUN_ATTEMPT', value('GITHUB_RUN_ATTEMPT'), 'GITHUB_RUN_ATTEMPT', 'run_attempt');
    return context;
  }
  const tag = value('CI_COMMIT_TAG');
  const mergeRequest = value('CI_MERGE_REQUEST_IID');
  const branch = value('CI_COMMIT_BRANCH') ?? value('CI_COMMIT_REF_NAME');
  if (tag !== undefined) {
    set('GITHUB_REF', `refs/tags/${tag}`, 'CI_COMMIT_TAG', 'ref');
  } else if (mergeRequest !== undefined && /^[1-9][0-9]*$/.test(mergeRequest)) {
    set('GITHUB_REF', `refs/merge-requests/${mergeRequest}/head`, 'CI_MERGE_REQUEST_IID', 'ref');
    context.eventPayload = { pull_request: { number: Number(mergeRequest) } };
  } else if (branch !== undefined) {
    set('GITHUB_REF', `refs/heads/${branch}`, value('CI_COMMIT_BRANCH') !== undefined ? 'CI_COMMIT_BRANCH' : 'CI_COMMIT_REF_NAME', 'ref');
  }
  set('GITHUB_SHA', value('CI_COMMIT_SHA'), 'CI_COMMIT_SHA', 'sha');
  const event = context.eventPayload ? 'pull_request' : value('CI_PIPELINE_SOURCE') === 'schedule' ? 'schedule' : 'push';
  set('GITHUB_EVENT_NAME', event, 'CI_PIPELINE_SOURCE');
  set('GITHUB_REPOSITORY', value('CI_PROJECT_PATH'), 'CI_PROJECT_PATH');
  set('GITHUB_WORKSPACE', value('CI_PROJECT_DIR'), 'CI_PROJECT_DIR');
  set('GITHUB_RUN_ID', value('CI_PIPELINE_ID'), 'CI_PIPELINE_ID');
  const host = value('CI_REGISTRY');
  const username = value('CI_REGISTRY_USER');
  const password = value('CI_REGISTRY_PASSWORD');
  if (host !== undefined && username !== undefined && password !== undefined) context.registryLogin = { host, username, password };
  return context;
}

/**
 * Adds a registry login to a Docker `config.json` object (as `docker login` writes it) unless the
 * config already holds credentials for that host; returns the new object, the given one untouched.
 */
export function withRegistryLogin(config: Record<string, unknown>, login: RegistryLogin): Record<string, unknown> {
  const auths = typeof config['auths'] === 'object' && config['auths'] !== null ? (config['auths'] as Record<string, unknown>) : {};
  const host = login.host.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  if (Object.keys(auths).some((key) => key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase() === host)) return config;
  const auth = Buffer.from(`${login.username}:${login.password}`, 'utf8').toString('base64');
  return { ...config, auths: { ...auths, [host]: { auth } } };
}
