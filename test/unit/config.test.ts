import t from "tap";
import { ConfigurationError, DEVELOPMENT_JWT_SECRET, loadSettings } from "../../shared/config.js";

t.test("defaults for a laptop", async (t) => {
  const settings = loadSettings({}, "/srv/app");
  t.match(settings, {
    environment: "development",
    port: 9000,
    host: "127.0.0.1",
    jwtSecret: DEVELOPMENT_JWT_SECRET,
    jwtSecretIsDefault: true,
    dataDir: "/srv/app/data",
    bodyLimitBytes: 102_400,
  });
});

t.test("values from the environment", async (t) => {
  const settings = loadSettings({ PORT: "8080", HOST: "0.0.0.0", JWT_SECRET: "s3", DATA_DIR: "/var/lib/c", READ_MODEL_WAIT_MS: "250" }, "/x");
  t.match(settings, { port: 8080, host: "0.0.0.0", jwtSecret: "s3", jwtSecretIsDefault: false, dataDir: "/var/lib/c", readModelWaitMs: 250 });
});

t.test("production refuses to start without a secret", async (t) => {
  t.throws(() => loadSettings({ NODE_ENV: "production" }), ConfigurationError);
  t.equal(loadSettings({ NODE_ENV: "production", JWT_SECRET: "real" }).jwtSecret, "real");
});

t.test("bad values are named in the error", async (t) => {
  t.throws(() => loadSettings({ PORT: "abc" }), { message: /PORT must be a whole number/ });
  t.throws(() => loadSettings({ PORT: "70000" }), ConfigurationError);
  t.throws(() => loadSettings({ NODE_ENV: "staging" }), { message: /NODE_ENV/ });
});
