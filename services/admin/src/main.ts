/**
 * The admin page: which screen the address names, inside the frame, with a way back to the
 * login screen whenever the session has ended (the API answers 401).
 */
import "./style.css";
import { h } from "./dom.js";
import { failureOf, isUnauthorized } from "./errors.js";
import { toLogin } from "./session.js";
import { type Frame, frame, status } from "./layout.js";
import { currentRoute, href, navigate } from "./router.js";
import { sdk } from "./sdk.js";
import { customerScreen } from "./views/customer.js";
import { customerCreateScreen } from "./views/customerCreate.js";
import { customersScreen } from "./views/customers.js";
import { groupsScreen } from "./views/groups.js";
import { loginScreen } from "./views/login.js";

const root = document.getElementById("app")!;

async function logout(): Promise<void> {
  await sdk.auth.logout().catch(() => undefined);
  navigate(href("login"));
}

async function render(): Promise<void> {
  const { path, query } = currentRoute();
  const [section = "customers", id] = path;
  if (section === "login") {
    loginScreen(frame(root, { signedIn: false }), query.get("next"));
    return;
  }
  const signedIn = frame(root, { signedIn: true, current: section, onLogout: () => void logout() });
  signedIn.main.setAttribute("aria-busy", "true");
  try {
    await screenFor(signedIn, section, id, query);
  } catch (error) {
    if (isUnauthorized(error)) {
      toLogin();
      return;
    }
    signedIn.screen("Something went wrong", h("p", { role: "alert" }, failureOf(error).message), h("p", {}, h("a", { href: href("customers") }, "Back to customers")));
  } finally {
    signedIn.main.removeAttribute("aria-busy");
  }
}

function screenFor(signedIn: Frame, section: string, id: string | undefined, query: URLSearchParams): Promise<void> | void {
  if (section === "customers" && id === "new") return customerCreateScreen(signedIn);
  if (section === "customers" && id) return customerScreen(signedIn, id);
  if (section === "customers") return customersScreen(signedIn, query);
  if (section === "groups") return groupsScreen(signedIn);
  signedIn.screen("Not found", status(), h("p", {}, "This page does not exist. ", h("a", { href: href("customers") }, "Go to the customers")));
}

window.addEventListener("hashchange", () => void render());
void render();
