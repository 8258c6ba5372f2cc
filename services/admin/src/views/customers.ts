/** The customers: searched (`q`), ordered, a page at a time, with how many there are. */
import { h } from "../dom.js";
import type { Frame } from "../layout.js";
import { status } from "../layout.js";
import { href, navigate } from "../router.js";
import { sdk } from "../sdk.js";

const PAGE_SIZE = 20;

export const CUSTOMER_ORDERS: Array<[string, string]> = [
  ["-created_at", "Newest first"],
  ["created_at", "Oldest first"],
  ["email", "Email, A to Z"],
  ["-email", "Email, Z to A"],
  ["last_name", "Last name, A to Z"],
  ["-updated_at", "Recently changed"],
];

export async function customersScreen(frame: Frame, query: URLSearchParams): Promise<void> {
  const q = query.get("q") ?? "";
  const order = CUSTOMER_ORDERS.some(([value]) => value === query.get("order")) ? query.get("order")! : "-created_at";
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  const { customers, count } = await sdk.admin.customer.list({ q: q || undefined, order, offset, limit: PAGE_SIZE, fields: "id,email,first_name,last_name,company_name,has_account,created_at" });

  const search = h("input", { id: "customer-search", type: "search", name: "q", value: q, autocomplete: "off" });
  const ordering = h("select", { id: "customer-order", name: "order" }, ...CUSTOMER_ORDERS.map(([value, label]) => h("option", { value, selected: value === order }, label)));
  const searchForm = h(
    "form",
    {
      role: "search",
      class: "toolbar",
      onsubmit: (event: Event) => {
        event.preventDefault();
        const next = new URLSearchParams();
        if (search.value.trim()) next.set("q", search.value.trim());
        if (ordering.value !== "-created_at") next.set("order", ordering.value);
        navigate(href("customers", next));
      },
    },
    h("div", { class: "field" }, h("label", { for: "customer-search" }, "Search customers"), search),
    h("div", { class: "field" }, h("label", { for: "customer-order" }, "Order"), ordering),
    h("button", { type: "submit" }, "Search"),
  );

  const from = count === 0 ? 0 : offset + 1;
  const to = offset + customers.length;
  const summary = status(q ? `${count} ${count === 1 ? "customer matches" : "customers match"} “${q}”` : `${count} ${count === 1 ? "customer" : "customers"}`);
  const pageLink = (at: number, label: string, rel: string) => {
    const next = new URLSearchParams(query);
    if (at > 0) next.set("offset", String(at));
    else next.delete("offset");
    return h("a", { href: href("customers", next), rel, class: "button" }, label);
  };

  const table =
    customers.length === 0
      ? h("p", { class: "empty" }, q ? "No customer matches this search." : "No customers yet.")
      : h(
          "table",
          {},
          h("caption", { class: "visually-hidden" }, `Customers ${from} to ${to} of ${count}`),
          h("thead", {}, h("tr", {}, ...["Email", "Name", "Company", "Account", "Created"].map((label) => h("th", { scope: "col" }, label)))),
          h(
            "tbody",
            {},
            ...customers.map((customer) =>
              h(
                "tr",
                {},
                h("td", { "data-label": "Email" }, h("a", { href: href("customers", customer.id) }, customer.email || "(no email)")),
                h("td", { "data-label": "Name" }, [customer.first_name, customer.last_name].filter(Boolean).join(" ") || "—"),
                h("td", { "data-label": "Company" }, customer.company_name || "—"),
                h("td", { "data-label": "Account" }, customer.has_account ? "Registered" : "Guest"),
                h("td", { "data-label": "Created" }, h("time", { datetime: String(customer.created_at) }, formatDate(customer.created_at))),
              ),
            ),
          ),
        );

  frame.screen(
    "Customers",
    h("div", { class: "toolbar" }, h("a", { href: href("customers", "new"), class: "button primary" }, "Create customer")),
    searchForm,
    summary,
    table,
    h(
      "nav",
      { "aria-label": "Pages", class: "pager" },
      offset > 0 ? pageLink(Math.max(0, offset - PAGE_SIZE), "Previous page", "prev") : null,
      count > 0 ? h("span", {}, `Showing ${from}–${to} of ${count}`) : null,
      to < count ? pageLink(offset + PAGE_SIZE, "Next page", "next") : null,
    ),
  );
}

export function formatDate(value: string | Date | null | undefined): string {
  if (!value) return "—";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}
