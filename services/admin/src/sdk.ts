/**
 * The Medusa client, configured as Medusa's documentation configures it in an admin app: the
 * backend at VITE_BACKEND_URL when the build is given one, this page's own origin otherwise,
 * and session authentication (an HttpOnly cookie the browser keeps; no token in storage).
 */
import Medusa from "@medusajs/js-sdk";

export const sdk = new Medusa({
  baseUrl: import.meta.env.VITE_BACKEND_URL || "/",
  debug: import.meta.env.DEV,
  auth: { type: "session" },
});
