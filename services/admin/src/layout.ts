/**
 * The frame every signed-in screen sits in: the service's name, the navigation, and logging
 * out. Each screen renders into `main`; its heading takes the focus when it opens, so that a
 * screen reader says where the user now is.
 */
import { h, show } from "./dom.js";
import { href } from "./router.js";

export interface Frame {
  main: HTMLElement;
  /** Shows `content` under the heading `title`, names the tab after it, and moves the focus there. */
  screen(title: string, ...content: Array<Node | null>): void;
}

export function frame(root: HTMLElement, options: { signedIn: boolean; current?: string; onLogout?: () => void }): Frame {
  const main = h("main", { id: "main", tabindex: -1 });
  const link = (to: string, label: string, name: string) =>
    h("a", { href: href(to), "aria-current": options.current === name ? "page" : null }, label);
  const header = h(
    "header",
    { class: "top" },
    h("p", { class: "brand" }, "Customers admin"),
    options.signedIn
      ? h(
          "nav",
          { "aria-label": "Main" },
          h("ul", {}, h("li", {}, link("customers", "Customers", "customers")), h("li", {}, link("groups", "Customer groups", "groups"))),
        )
      : null,
    options.signedIn ? h("button", { type: "button", class: "link", onclick: () => options.onLogout?.() }, "Log out") : null,
  );
  show(root, header, main);
  return {
    main,
    screen(title, ...content) {
      const heading = h("h1", { tabindex: -1 }, title);
      show(main, heading, ...content);
      document.title = `${title} · Customers admin`;
      heading.focus();
    },
  };
}

/** A line that tells what is happening (loading, saved), read out by screen readers when it changes. */
export function status(text = ""): HTMLElement {
  return h("p", { class: "status", role: "status" }, text);
}
