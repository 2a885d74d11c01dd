/**
 * `${NAME}` in config values reads the environment. Secrets live only in
 * the environment, so every value that came from it is remembered: the
 * logger and the replies redact those values.
 */

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

export interface InterpolationResult {
  readonly value: unknown;
  readonly problems: readonly string[];
  /** Config paths whose references could not be resolved. */
  readonly unresolved: readonly string[];
  /** Values read from the environment, by config path ("providers.do.token"). */
  readonly fromEnvironment: ReadonlyMap<string, string>;
  /** The variable each of those came from ("DIGITALOCEAN_TOKEN"), by config path. */
  readonly variables: ReadonlyMap<string, string>;
}

export function interpolate(
  input: unknown,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
): InterpolationResult {
  const problems: string[] = [];
  const unresolved: string[] = [];
  const fromEnvironment = new Map<string, string>();
  const variables = new Map<string, string>();

  const visit = (node: unknown, path: string[]): unknown => {
    if (typeof node === 'string') {
      let usedEnvironment = false;
      const replaced = node.replace(REFERENCE, (_match, name: string) => {
        const value = env[name];
        if (value === undefined || value === '') {
          problems.push(`${where}: ${path.join('.')}: environment variable ${name} is not set`);
          unresolved.push(path.join('.'));
          return '';
        }
        usedEnvironment = true;
        variables.set(path.join('.'), name);
        return value;
      });
      if (usedEnvironment) fromEnvironment.set(path.join('.'), replaced);
      return replaced;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, String(index)]));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(
        Object.entries(node).map(([key, value]) => [key, visit(value, [...path, key])]),
      );
    }
    return node;
  };

  return { value: visit(input, []), problems, unresolved, fromEnvironment, variables };
}
