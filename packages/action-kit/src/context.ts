/**
 * The workflow run an action runs in, read once from the runner's environment
 * ({@link https://docs.github.com/en/actions/reference/variables-reference#default-environment-variables | default variables})
 * by `runAction` and passed down in the runtime: logic never reads `process.env`. Forgejo Actions sets
 * the same variables. Export the type to extend it (e.g. a Forgejo-only field).
 */
export interface WorkflowContext {
  /** `GITHUB_REF`, e.g. `refs/heads/main`, `refs/tags/v1.2.3`; absent outside a workflow run. */
  ref?: string;
  /** `GITHUB_SHA`: the commit of the run. */
  sha?: string;
  /** `GITHUB_EVENT_NAME`, e.g. `push`, `delete`, `workflow_dispatch`. */
  eventName?: string;
  /** `GITHUB_EVENT_PATH`: the event payload file. */
  eventPath?: string;
  /** `GITHUB_RUN_ATTEMPT` (1 for the first attempt); absent when not set or not a positive integer. */
  runAttempt?: number;
  /** `GITHUB_REPOSITORY`, `owner/repo`. */
  repository?: string;
  /** `GITHUB_SERVER_URL`, default `https://github.com`. */
  serverUrl: string;
  /** `GITHUB_API_URL` (GitHub Enterprise, Forgejo); absent for the client's default. */
  apiUrl?: string;
  /** `GITHUB_WORKSPACE`: the checkout. */
  workspace?: string;
  /** `GITHUB_TOKEN` when a step puts it in the environment (an input `github-token` is passed explicitly instead). */
  token?: string;
}

/**
 * Reads the {@link WorkflowContext} from an environment; empty values count as absent.
 *
 * @param env - the process environment (given, never read here from `process.env`).
 */
export function readWorkflowContext(env: Readonly<Record<string, string | undefined>>): WorkflowContext {
  const value = (name: string): string | undefined => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const attempt = value('GITHUB_RUN_ATTEMPT');
  const runAttempt = attempt !== undefined && /^[1-9][0-9]*$/.test(attempt) ? Number(attempt) : undefined;
  const context: WorkflowContext = { serverUrl: value('GITHUB_SERVER_URL') ?? 'https://github.com' };
  const fields: Array<[keyof WorkflowContext, string]> = [
    ['ref', 'GITHUB_REF'],
    ['sha', 'GITHUB_SHA'],
    ['eventName', 'GITHUB_EVENT_NAME'],
    ['eventPath', 'GITHUB_EVENT_PATH'],
    ['repository', 'GITHUB_REPOSITORY'],
    ['apiUrl', 'GITHUB_API_URL'],
    ['workspace', 'GITHUB_WORKSPACE'],
    ['token', 'GITHUB_TOKEN'],
  ];
  for (const [field, name] of fields) {
    const given = value(name);
    if (given !== undefined) (context as unknown as Record<string, string>)[field] = given;
  }
  if (runAttempt !== undefined) context.runAttempt = runAttempt;
  return context;
}
