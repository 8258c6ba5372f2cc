/**
 * The command service: the HTTP API. With no cluster settings it runs the publisher and
 * the projector in the same process over the embedded defaults (`npm start`).
 */
import { ConfigurationError, loadSettings } from "../../shared/config.js";
import { startEmbedded } from "../../shared/runtime/embedded.js";
import { runUntilSignalled } from "../../shared/runtime/process.js";

try {
  const settings = loadSettings();
  if (settings.jwtSecretIsDefault) {
    console.warn(
      "\n  WARNING: JWT_SECRET is not set; admin tokens are checked against the development default.\n" +
        "  Anyone who knows that default can act as an admin. Set JWT_SECRET before exposing this service.\n",
    );
  }
  await runUntilSignalled(await startEmbedded(settings));
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(`Configuration error: ${error.message}`);
    process.exit(78);
  }
  throw error;
}
