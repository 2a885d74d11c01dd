/** Types of node-support.js (plain JavaScript, so that any Node can load it). */
export function enginesRange(): string;
export function nodeProblem(version: string, range: string, executable?: string): string | undefined;
