/** Logging in with an admin user's email and password (the API's own messages when it fails). */
import { h } from "../dom.js";
import { form } from "../form.js";
import type { Frame } from "../layout.js";
import { href, navigate } from "../router.js";
import { sdk } from "../sdk.js";

export function loginScreen(frame: Frame, next: string | null): void {
  const login = form({
    label: "Log in",
    fields: [
      { name: "email", label: "Email", type: "email", autocomplete: "username", required: true },
      { name: "password", label: "Password", type: "password", autocomplete: "current-password", required: true },
    ],
    submit: "Log in",
    signedIn: false,
    async onSubmit(f) {
      const { email = "", password = "" } = f.values() as Record<string, string>;
      const answer = await sdk.auth.login("user", "emailpass", { email, password });
      if (typeof answer !== "string") throw new Error("This account needs a sign-in step this page does not offer.");
      navigate(next && next.startsWith("#/") && !next.startsWith("#/login") ? next : href("customers"));
    },
  });
  frame.screen(
    "Log in",
    h("p", {}, "Sign in as an admin user of this service. To create one, run ", h("code", {}, "npm run user -- -e EMAIL -p PASSWORD"), " where the service runs."),
    login.element,
  );
}
