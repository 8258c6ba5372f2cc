/**
 * What the API answered when a call failed, in words for the person using the page. The API
 * answers Medusa's errors (`{ "type": "invalid_data", "message": "..." }`); the js-sdk throws
 * them as FetchError with that message and the status.
 */
export interface ApiFailure {
  status: number | undefined;
  message: string;
}

export function failureOf(error: unknown): ApiFailure {
  const { status, message } = (error ?? {}) as { status?: number; message?: string };
  if (status === undefined && error instanceof TypeError) {
    return { status, message: "The service cannot be reached. Check your connection and try again." };
  }
  return { status, message: message || "Something went wrong. Try again." };
}

export function isUnauthorized(error: unknown): boolean {
  return (error as { status?: number } | undefined)?.status === 401;
}

/**
 * A validation message split by the fields it names, for showing each part beside its field:
 * "Invalid request: Expected type: 'string' for field 'email', got: '5'; Unrecognized fields:
 * 'foo'" gives email its part, and the rest to the form. `fields` are the form's field names.
 */
export function messagesByField(message: string, fields: string[]): { byField: Map<string, string[]>; rest: string[] } {
  const byField = new Map<string, string[]>();
  const rest: string[] = [];
  const issues = message.replace(/^Invalid request:\s*/, "").split(/;\s*/).filter(Boolean);
  for (const issue of issues) {
    const field = fieldOf(issue, fields);
    if (field) byField.set(field, [...(byField.get(field) ?? []), issue]);
    else rest.push(issue);
  }
  return { byField, rest };
}

function fieldOf(issue: string, fields: string[]): string | undefined {
  const named = /[Ff]ield '([^']+)'/.exec(issue)?.[1];
  if (named && fields.includes(named)) return named;
  // Messages that do not name their field, but can only be about one.
  if (fields.includes("email") && (/^Invalid email address$/.test(issue) || /with email: .* already exists/.test(issue))) return "email";
  if (fields.includes("name") && /with name: .* already exists/.test(issue)) return "name";
  return undefined;
}
