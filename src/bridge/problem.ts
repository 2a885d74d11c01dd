/**
 * A bridge API error: its HTTP status, a code a program can branch on, the
 * words a person reads, and where it applies (the JSON path of a bad field,
 * the scope a client lacks). Every error answer has this one shape:
 * `{"error": {"code": "...", "message": "...", "path"?: "$.channel", "missing"?: "..."}}`.
 */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    status: number,
    code: string,
    message: string,
    details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  get body(): { error: Record<string, unknown> } {
    return { error: { code: this.code, message: this.message, ...this.details } };
  }
}

/** 403: the client's scope (its entry in `bridge.clients`) does not include `missing`. */
export function outOfScope(client: string, missing: string, message: string): ApiProblem {
  return new ApiProblem(403, 'forbidden', `The client ${client} ${message}.`, { missing });
}

/** `["blocks", 0, "text"]` → `$.blocks[0].text`. */
export function jsonPath(path: readonly PropertyKey[]): string {
  return `$${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('')}`;
}
