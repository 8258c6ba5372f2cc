/**
 * What every command-line tool does first: read its options (answering --help, and a
 * usage error with the usage text and exit code 2) and the service's settings (a
 * configuration error exits 78, as the roles do).
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
