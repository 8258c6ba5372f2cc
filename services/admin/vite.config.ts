/**
 * The admin page's build: a static single-page app that the command service serves at /app
 * (shared/http/adminPage.ts). `npm run build` writes it to dist/admin.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
/** The service the dev server passes the page's API calls to, so they stay same-origin. */
const service = process.env.CUSTOMERS_SERVICE_URL || "http://127.0.0.1:9000";

export default defineConfig({
  root: here,
  base: "/app/",
  logLevel: "warn",
  server: {
    host: "127.0.0.1",
    proxy: { "/admin": service, "/auth": service },
  },
  build: {
    outDir: fileURLToPath(new URL("../../dist/admin", import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
    // Everything in files of its own: the service's Content-Security-Policy allows no inline code.
    assetsInlineLimit: 0,
  },
});
