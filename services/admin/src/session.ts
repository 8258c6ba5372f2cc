/** When the API answers 401 on a signed-in screen, the session has ended: log in again, then come back. */
import { show } from "./dom.js";
import { failureOf, isUnauthorized } from "./errors.js";
import { href, navigate } from "./router.js";

export function toLogin(): void {
  const here = window.location.hash.startsWith("#/login") ? href("customers") : window.location.hash || href("customers");
  navigate(href("login", new URLSearchParams({ next: here })));
}

/** Shows why a call failed in `target`; a session that has ended goes to the login screen instead. */
export function reportFailure(target: HTMLElement, error: unknown): void {
  if (isUnauthorized(error)) toLogin();
  else show(target, failureOf(error).message);
}
