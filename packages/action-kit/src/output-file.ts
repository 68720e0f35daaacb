/**
 * Parses a `$GITHUB_OUTPUT` file as `@actions/core` writes it: `name=value` lines and
 * `name<<DELIMITER` heredocs (the delimiter line ends the value). Used where a step's outputs are read
 * back: the CLI running an action bundle and the test runner of action.yml files.
 *
 * @param text - the file's contents.
 * @returns the outputs by name; a later line for the same name wins.
 * @see {@link https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands#setting-an-output-parameter | setting an output parameter}
 */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc?.[1] && heredoc[2]) {
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== heredoc[2]; i++) body.push(lines[i] ?? '');
      outputs[heredoc[1]] = body.join('\n');
    } else if (line.includes('=')) {
      const at = line.indexOf('=');
      outputs[line.slice(0, at)] = line.slice(at + 1);
    }
  }
  return outputs;
}
