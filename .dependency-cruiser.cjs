/**
 * The architecture's import rules, checked by `npm run check:imports` (and in CI):
 * no import circles; the domain and the application layer never reach out to the HTTP layer
 * or the read model; nothing shipped imports the tests.
 */
const DOMAIN = "^shared/(customers|customerGroups|users|apiKeys|reservations|idempotencyKeys)/|^shared/(errors|metadata|fieldChange|schemaTypes)\\.ts$";

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A circle makes two modules one; split the shared part out.",
      from: {},
      to: { circular: true },
    },
    {
      name: "domain-is-pure",
      severity: "error",
      comment: "The domain (events, state, decisions) imports only the domain.",
      from: { path: DOMAIN },
      to: { path: "^shared/", pathNot: DOMAIN },
    },
    {
      name: "application-stays-inward",
      severity: "error",
      comment: "Commands depend on the domain and on ports, never on the HTTP layer or the read model.",
      from: { path: "^shared/application/" },
      to: { path: "^shared/(http|readmodel|runtime)/" },
    },
    {
      name: "ports-know-no-callers",
      severity: "error",
      comment: "Infrastructure adapters do not import the layers that use them.",
      from: { path: "^shared/(eventstore|bus|checkpoints|sessions|keystore|mongodb|postgres)/" },
      to: { path: "^shared/(http|application|runtime|readmodel)/" },
    },
    {
      name: "admin-page-stands-alone",
      severity: "error",
      comment: "The admin page runs in a browser: it talks to the service over HTTP only, through the js-sdk.",
      from: { path: "^services/admin/" },
      to: { path: "^(shared|bench|test)/|^services/(?!admin/)" },
    },
    {
      name: "shipped-code-never-imports-tests",
      severity: "error",
      from: { path: "^(shared|services|bench)/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"], extensions: [".ts", ".js"] },
  },
};
