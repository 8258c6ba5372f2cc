/**
 * What every command-line tool and role does first: read its options (answering --help, and
 * a usage error with the usage text and exit code 2) and the service's settings (a
 * configuration error exits 78, as the roles do); and how their usage texts list the
 * environment variables they read.
 */
import { type ParseArgsConfig, parseArgs } from "node:util";
import { ConfigurationError, type Settings, loadSettings } from "../config.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

export function parseCommandLine<T extends Options>(options: T, usage: string): ReturnType<typeof parseArgs<{ options: T }>>["values"] {
  let values: ReturnType<typeof parseArgs<{ options: T }>>["values"];
  try {
    ({ values } = parseArgs({ options: { ...options, help: { type: "boolean", short: "h" } } as T }));
  } catch (error) {
    return exitWithUsage((error as Error).message, usage);
  }
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    process.exit(0);
  }
  return values;
}

export function exitWithUsage(problem: string, usage: string): never {
  console.error(`${problem}\n\n${usage}`);
  process.exit(2);
}

export function loadCliSettings(): Settings {
  try {
    return loadSettings();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(`Configuration error: ${error.message}`);
    process.exit(78);
  }
}

/** A variable a usage text lists: NAME=fallback (NAME alone without one) and what it is. */
export interface HelpVariable {
  name: string;
  meaning: string;
  fallback?: string | number;
}

export interface VariablesSection {
  title: string;
  variables: readonly HelpVariable[];
}

const HELP_WIDTH = 90;
const MEANING_COLUMN = 38;

/** "Environment variables (NAME=default; note):" and each section's variables, the meanings in one column. */
export function formatVariables(sections: readonly VariablesSection[], note?: string): string {
  const lines = [`Environment variables (NAME=default${note ? `; ${note}` : ""}):`];
  for (const section of sections.filter(({ variables }) => variables.length > 0)) {
    lines.push(`  ${section.title}:`);
    for (const { name, meaning, fallback } of section.variables) {
      const setting = `    ${fallback === undefined || fallback === "" ? name : `${name}=${fallback}`}`;
      const [first = "", ...rest] = wrap(meaning, HELP_WIDTH - MEANING_COLUMN);
      // A wide setting takes a line of its own, so that the meanings stay in one column.
      if (setting.length > MEANING_COLUMN - 2) lines.push(setting, " ".repeat(MEANING_COLUMN) + first);
      else lines.push(setting.padEnd(MEANING_COLUMN) + first);
      lines.push(...rest.map((line) => " ".repeat(MEANING_COLUMN) + line));
    }
  }
  return lines.join("\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  return [...lines, line];
}
