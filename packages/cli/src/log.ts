/**
 * Turns a line an action bundle prints (GitHub workflow commands, `::error::…`) into what a
 * terminal or another CI's log should show; `undefined` drops the line. `::add-mask::` is always
 * dropped: it carries the secret it masks. With `workflowCommands` (the command runs in a GitHub or
 * Forgejo Actions step, whose runner reads commands on stderr too) annotations and groups are kept
 * as they are, so they still annotate the run.
 */
export function translateLine(line: string, options: { debug: boolean; quiet: boolean; workflowCommands?: boolean }): string | undefined {
  const command = /^::([a-z-]+)(?: [^:]*)?::(.*)$/.exec(line);
  if (!command) return options.quiet ? undefined : line;
  const [, name, raw = ''] = command;
  if (options.workflowCommands && ['error', 'warning', 'notice', 'debug', 'group', 'endgroup'].includes(name ?? '')) {
    return options.quiet && (name === 'group' || name === 'endgroup' || name === 'debug') ? undefined : line;
  }
  const message = unescapeData(raw);
  switch (name) {
    case 'error':
      return `error: ${message}`;
    case 'warning':
      return `warning: ${message}`;
    case 'notice':
      return `notice: ${message}`;
    case 'debug':
      return options.debug ? `debug: ${message}` : undefined;
    case 'group':
      return options.quiet ? undefined : message;
    default:
      // add-mask, endgroup, set-output, save-state, stop-commands, echo and unknown commands.
      return undefined;
  }
}

function unescapeData(text: string): string {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/** The message of the last `::error::` command in a text, unescaped; undefined when there is none. */
export function lastError(text: string): string | undefined {
  let found: string | undefined;
  for (const line of text.split('\n')) {
    const match = /^::error(?: [^:]*)?::(.*)$/.exec(line);
    if (match) found = unescapeData(match[1] ?? '');
  }
  return found;
}
