import { parse } from 'yaml';

/** The actions the command runs, one subcommand each. */
export const ACTIONS = ['compute-tags', 'promote', 'rollback', 'cleanup', 'classify-ref'] as const;
export type ActionName = (typeof ACTIONS)[number];

/** One input of an action.yml. */
export interface InputSpec {
  name: string;
  description: string;
  required: boolean;
  /** The default as written, e.g. `'true'`, `''` or `'${{ github.sha }}'`. */
  default: string;
  /** The `github.<field>` an expression default reads (`sha` for `${{ github.sha }}`); undefined for a literal default. */
  contextDefault?: string;
  /** An input whose default is `true` or `false`: its flag may be given without a value, and has a `--no-` form. */
  boolean: boolean;
}

/** One output of an action.yml and the step output it maps. */
export interface OutputSpec {
  name: string;
  description: string;
  /** The step id and step output name its `value: ${{ steps.<id>.outputs.<name> }}` reads. */
  step: string;
  stepOutput: string;
}

/** What the command needs from an action.yml: its inputs, its outputs, and its one composite step's `env`. */
export interface ActionSpec {
  name: string;
  description: string;
  inputs: InputSpec[];
  outputs: OutputSpec[];
  /** The step id of the composite step that runs the bundle. */
  stepId: string;
  /** The step's env, each value either a literal or `${{ inputs.<name> }}`. */
  env: Record<string, string>;
}

const EXPRESSION = /^\$\{\{\s*([^}]+?)\s*\}\}$/;

/**
 * Reads an action.yml (the very file the action ships) into an {@link ActionSpec}. Only the shape
 * tagwright's composite actions have is accepted (one `run` step whose env maps inputs, outputs
 * read from that step); anything else throws, so a change to an action.yml the command cannot follow
 * fails its tests rather than drifting.
 *
 * @throws Error naming the action and what is not understood.
 */
export function parseActionYml(name: string, text: string): ActionSpec {
  const yml = parse(text) as {
    description?: unknown;
    inputs?: Record<string, { description?: unknown; required?: unknown; default?: unknown }>;
    outputs?: Record<string, { description?: unknown; value?: unknown }>;
    runs?: { using?: unknown; steps?: Array<{ id?: unknown; env?: Record<string, unknown>; run?: unknown }> };
  };
  const fail = (what: string): never => {
    throw new Error(`read ${name}/action.yml: ${what}`);
  };
  if (yml.runs?.using !== 'composite') fail('runs.using is not composite');
  const steps = yml.runs?.steps ?? [];
  if (steps.length !== 1 || typeof steps[0]?.id !== 'string') fail('expected exactly one composite step with an id');
  const step = steps[0]!;
  const inputs: InputSpec[] = Object.entries(yml.inputs ?? {}).map(([input, spec]) => {
    if (typeof spec.description !== 'string' || spec.description === '') fail(`input ${input} has no description`);
    const value = spec.default === undefined || spec.default === null ? '' : String(spec.default);
    const expression = EXPRESSION.exec(value)?.[1];
    let contextDefault: string | undefined;
    if (expression !== undefined) {
      const field = /^github\.([a-z_]+)$/.exec(expression)?.[1];
      if (field === undefined) fail(`input ${input}: default ${value} is not a github.<field> expression`);
      contextDefault = field;
    }
    return {
      name: input,
      description: String(spec.description),
      required: spec.required === true,
      default: value,
      ...(contextDefault !== undefined ? { contextDefault } : {}),
      boolean: value === 'true' || value === 'false',
    };
  });
  const outputs: OutputSpec[] = Object.entries(yml.outputs ?? {}).map(([output, spec]) => {
    const match = /^\$\{\{\s*steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(String(spec.value ?? ''));
    if (!match?.[1] || !match[2]) return fail(`output ${output}: value is not \${{ steps.<id>.outputs.<name> }}`);
    return { name: output, description: String(spec.description ?? ''), step: match[1], stepOutput: match[2] };
  });
  const env: Record<string, string> = {};
  const declared = new Set(inputs.map((input) => input.name));
  for (const [key, value] of Object.entries(step.env ?? {})) {
    const text = String(value);
    const expression = EXPRESSION.exec(text)?.[1];
    if (expression !== undefined) {
      const input = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expression)?.[1];
      if (input === undefined || !declared.has(input)) fail(`step env ${key}: ${text} is not \${{ inputs.<declared input> }}`);
    } else if (text.includes('${{')) {
      fail(`step env ${key}: an expression inside a string is not supported`);
    }
    env[key] = text;
  }
  return {
    name,
    description: typeof yml.description === 'string' ? yml.description : '',
    inputs,
    outputs,
    stepId: String(step.id),
    env,
  };
}

/**
 * The composite step's environment for the given input values, as the runner evaluates
 * `${{ inputs.<name> }}`.
 */
export function stepEnv(spec: ActionSpec, inputs: Readonly<Record<string, string>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(spec.env)) {
    const input = /^\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(value)?.[1];
    env[key] = input === undefined ? value : (inputs[input] ?? '');
  }
  return env;
}

