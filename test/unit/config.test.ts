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
  t.throws(() => loadSettings({ NODE_ENV: "production", JWT_SECRET: "real" }), { message: /ENCRYPTION_KEY must be set/ }, "nor without a master key");
  t.equal(loadSettings({ NODE_ENV: "production", JWT_SECRET: "real", ENCRYPTION_KEY: "ab".repeat(32) }).jwtSecret, "real");
});

t.test("the master key: hex or base64 of 32 bytes, required with KurrentDB", async (t) => {
  t.equal(loadSettings({ ENCRYPTION_KEY: "ab".repeat(32) }).encryptionKey, "ab".repeat(32));
  t.equal(loadSettings({ ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64") }).encryptionKey, Buffer.alloc(32, 7).toString("base64"));
  t.equal(loadSettings({}).encryptionKey, undefined, "none: the one in DATA_DIR");
  t.throws(() => loadSettings({ ENCRYPTION_KEY: "short" }), { message: /ENCRYPTION_KEY: The master key must be 32 bytes/ });
  t.throws(() => loadSettings({ KURRENTDB_URL: "kurrentdb://127.0.0.1:2113" }), { message: /ENCRYPTION_KEY must be set with KURRENTDB_URL/ });
  t.throws(() => loadSettings({ POSTGRES_URL: "postgres://127.0.0.1/shop" }), { message: /ENCRYPTION_KEY must be set with POSTGRES_URL/ });
});

t.test("PostgreSQL: the event store's settings, its schemas apart, never together with KurrentDB", async (t) => {
  const key = { ENCRYPTION_KEY: "11".repeat(32) };
  t.equal(loadSettings(key).postgres, undefined, "none without POSTGRES_URL");
  t.same(loadSettings({ ...key, POSTGRES_URL: "postgres://u:p@db:5432/shop" }).postgres, {
    url: "postgres://u:p@db:5432/shop",
    schema: "customers",
    keysSchema: "customers_keys",
    timeoutMs: 10_000,
    poolSize: 10,
  });
  t.match(loadSettings({ ...key, POSTGRES_URL: "postgresql://db/shop", POSTGRES_SCHEMA: "shop_b", POSTGRES_POOL_SIZE: "4" }).postgres, { schema: "shop_b", keysSchema: "shop_b_keys", poolSize: 4 });
  t.throws(() => loadSettings({ ...key, POSTGRES_URL: "postgres://db/shop", KURRENTDB_URL: "kurrentdb://db:2113" }), { message: /either KURRENTDB_URL or POSTGRES_URL/ });
  t.throws(() => loadSettings({ ...key, POSTGRES_URL: "mysql://db/shop" }), { message: /POSTGRES_URL must be a connection string/ });
  t.throws(() => loadSettings({ ...key, POSTGRES_URL: "postgres://db/shop", POSTGRES_SCHEMA: 'x"; DROP' }), { message: /POSTGRES_SCHEMA must be a PostgreSQL schema name/ });
  t.throws(() => loadSettings({ ...key, POSTGRES_URL: "postgres://db/shop", KEYS_POSTGRES_SCHEMA: "customers" }), { message: /KEYS_POSTGRES_SCHEMA must differ/ });
});

t.test("bad values are named in the error", async (t) => {
  t.throws(() => loadSettings({ PORT: "abc" }), { message: /PORT must be a whole number/ });
  t.throws(() => loadSettings({ PORT: "70000" }), ConfigurationError);
  t.throws(() => loadSettings({ NODE_ENV: "staging" }), { message: /NODE_ENV/ });
});

t.test("authentication settings: defaults and values", async (t) => {
  const defaults = loadSettings({}, "/x").auth;
  t.match(defaults, {
    sessionCookieName: "connect.sid",
    sessionTtlMs: 36_000_000,
    adminCors: [],
    authCors: [],
    loginMaxFailuresPerEmail: 5,
    loginMaxFailuresPerClient: 50,
    loginFailureWindowMs: 900_000,
  });
  t.not(defaults.cookieSecret, DEVELOPMENT_JWT_SECRET);
  t.not(loadSettings({ JWT_SECRET: "a" }).auth.cookieSecret, loadSettings({ JWT_SECRET: "b" }).auth.cookieSecret, "derived from JWT_SECRET when not set");
  t.equal(loadSettings({ COOKIE_SECRET: "c" }).auth.cookieSecret, "c");
  const cors = loadSettings({ ADMIN_CORS: "http://a.test, /^https:\\/\\/.+\\.b\\.test$/i,", AUTH_CORS: "http://c.test" }).auth;
  t.equal(cors.adminCors.length, 2);
  t.equal(cors.adminCors[0], "http://a.test");
  t.ok((cors.adminCors[1] as RegExp).test("HTTPS://x.b.test"));
  t.same(cors.authCors, ["http://c.test"]);
});

t.test("bad authentication settings are named", async (t) => {
  t.throws(() => loadSettings({ ADMIN_CORS: "/(/" }), { message: /CORS setting is not a valid regular expression/ });
  t.throws(() => loadSettings({ SESSION_COOKIE_NAME: "a b" }), { message: /SESSION_COOKIE_NAME/ });
  t.throws(() => loadSettings({ SESSION_TTL_MS: "0" }), { message: /SESSION_TTL_MS/ });
  t.throws(() => loadSettings({ LOGIN_FAILURE_WINDOW_MS: "x" }), { message: /LOGIN_FAILURE_WINDOW_MS/ });
});

t.test("TRUST_PROXY: nobody by default; true, a hop count, or addresses and ranges", async (t) => {
  t.equal(loadSettings({}).trustProxy, false, "X-Forwarded-* from nobody unless configured");
  t.equal(loadSettings({ TRUST_PROXY: "true" }).trustProxy, true);
  t.equal(loadSettings({ TRUST_PROXY: "2" }).trustProxy, 2);
  t.same(loadSettings({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1,::1,loopback" }).trustProxy, ["10.0.0.0/8", "127.0.0.1", "::1", "loopback"]);
  for (const bad of ["10.0.0.0/33", "proxy.example", "1.2.3.4/8/1", "300.1.1.1"]) {
    t.throws(() => loadSettings({ TRUST_PROXY: bad }), { name: "ConfigurationError", message: new RegExp(`TRUST_PROXY: "${bad.replace(/\./g, "\\.")}"`) }, bad);
  }
});

t.test("cluster settings: MongoDB timeout, projector group", async (t) => {
  const cluster = { KAFKA_BROKERS: "k:9092", MONGODB_URL: "mongodb://m" };
  t.match(loadSettings(cluster).cluster, { mongodbTimeoutMs: 5000, projectorGroupId: "customers-read-model" });
  t.match(loadSettings({ ...cluster, MONGODB_TIMEOUT_MS: "1500", PROJECTOR_GROUP_ID: "shop-b-read-model" }).cluster, { mongodbTimeoutMs: 1500, projectorGroupId: "shop-b-read-model" });
  t.equal(loadSettings({ UNHEALTHY_AFTER_MS: "5000" }).unhealthyAfterMs, 5000);
  t.throws(() => loadSettings({ ...cluster, MONGODB_TIMEOUT_MS: "0" }), ConfigurationError);
});
