/**
 * Validation issues in the shape zod 4 reports them, and Medusa's way of turning the first
 * three into a message (`formatError` in @medusajs/framework's zod-helpers), so that error
 * texts match Medusa 2.21 word for word.
 */

export type Path = Array<string | number>;

export type Issue =
  | { code: "invalid_type"; expected: string; path: Path }
  | { code: "unrecognized_keys"; keys: string[]; path: Path }
  | { code: "invalid_format"; message: string; path: Path }
  | { code: "invalid_union"; branches: Issue[][]; path: Path }
  | { code: "custom"; message: string; path: Path };

/**
 * A plain object, not an array: what JSON's `{...}` makes. Judged by its prototype, not by its
 * `constructor` property as Medusa's `isObject` does, so that metadata may have a key named
 * `constructor` (or `__proto__`), kept as plain data.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function valueAt(path: Path, body: unknown): unknown {
  if (!isPlainObject(body)) return undefined;
  let current: unknown = body;
  for (const key of path) {
    if (!isPlainObject(current)) return undefined;
    current = current[key as string];
  }
  return current;
}

const formatPath = (path: Path): string => path.join(", ");

function display(value: unknown): string {
  try {
    return `${value as string}`;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function formatInvalidType(issues: Issue[], body: unknown): string | undefined {
  const typed = issues.filter((issue): issue is Extract<Issue, { code: "invalid_type" }> => issue.code === "invalid_type");
  const expected = typed.filter((issue) => valueAt(issue.path, body) !== undefined).map((issue) => issue.expected);
  const first = typed[0];
  if (expected.length === 0 || !first) return undefined;
  return `Expected type: '${expected.join(", ")}' for field '${formatPath(first.path)}', got: '${display(valueAt(first.path, body))}'`;
}

function formatRequired(issues: Issue[], body: unknown): string | undefined {
  const missing = issues.find((issue) => issue.code === "invalid_type" && valueAt(issue.path, body) === undefined);
  return missing ? `Field '${formatPath(missing.path)}' is required` : undefined;
}

function formatIssue(issue: Issue, body: unknown): string {
  switch (issue.code) {
    case "invalid_type":
      return formatInvalidType([issue], body) ?? formatRequired([issue], body) ?? "Invalid input";
    case "unrecognized_keys":
      return `Unrecognized fields: '${issue.keys.join(", ")}'`;
    case "invalid_union": {
      const inner = issue.branches.flat();
      return formatInvalidType(inner, body) ?? formatRequired(inner, body) ?? "Invalid input";
    }
    case "invalid_format":
    case "custom":
      return issue.message;
  }
}

export function formatIssues(issues: Issue[], body: unknown): string {
  return `Invalid request: ${issues
    .slice(0, 3)
    .map((issue) => formatIssue(issue, body))
    .join("; ")}`;
}
