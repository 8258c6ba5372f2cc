/**
 * What every entry point does: read the settings, say loudly what is unsafe, start its role
 * and keep it running until SIGTERM/SIGINT. Configuration mistakes end the process with a
 * plain message and exit code 78 (EX_CONFIG).
 */
import { ConfigurationError, type Settings, loadSettings } from "../config.js";
import { type ProcessLogger, createLogger } from "../logging.js";
import { runUntilSignalled } from "./process.js";

export async function startRole(name: string, start: (settings: Settings, logger: ProcessLogger) => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(settings.logLevel).child({ role: name });
  if (settings.jwtSecretIsDefault && name === "command") {
    console.warn(
      "\n  WARNING: JWT_SECRET is not set; admin tokens are checked against the development default.\n" +
        "  Anyone who knows that default can act as an admin. Set JWT_SECRET before exposing this service.\n",
    );
  }
  try {
    const running = await start(settings, logger);
    await runUntilSignalled(running, logger);
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(78);
    }
    logger.fatal({ err: error }, `the ${name} role could not start`);
    process.exit(1);
  }
}
