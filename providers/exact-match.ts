/**
 * What `status(nameOrId)` answers: the resources named exactly so, or with
 * exactly that id. Applied after any server-side filter, which is never
 * trusted alone: EC2 filters take wildcards, a proxy or an older API may
 * ignore a query parameter, and a lookup that returns look-alikes would
 * make a mutation ask about (or a read show) the wrong machine.
 */
export interface NameRules {
  /** The provider treats names (and ids) the same whatever their case. */
  readonly ignoreCase: boolean;
}

export function exactMatches<R extends { readonly id: string; readonly name: string }>(
  resources: readonly R[],
  nameOrId: string,
  rules: NameRules,
): R[] {
  const fold = rules.ignoreCase ? (text: string) => text.toLowerCase() : (text: string) => text;
  const wanted = fold(nameOrId);
  return resources.filter((resource) => fold(resource.id) === wanted || fold(resource.name) === wanted);
}
