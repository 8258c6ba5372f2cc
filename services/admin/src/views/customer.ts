/**
 * One customer: their details (edited in place), their addresses (added, edited, removed,
 * the default flags set), their groups (added, removed) and their history.
 */
import type { HttpTypes } from "@medusajs/types";
import { h } from "../dom.js";
import { type FieldSpec, form } from "../form.js";
import type { Frame } from "../layout.js";
import { status } from "../layout.js";
import { href, navigate } from "../router.js";
import { sdk } from "../sdk.js";
import { reportFailure } from "../session.js";
import { formatDate } from "./customers.js";

type Customer = HttpTypes.AdminCustomer;
type Address = HttpTypes.AdminCustomerAddress;

const DETAIL_FIELDS: FieldSpec[] = [
  { name: "email", label: "Email", type: "email" },
  { name: "first_name", label: "First name" },
  { name: "last_name", label: "Last name" },
  { name: "company_name", label: "Company" },
  { name: "phone", label: "Phone", type: "tel" },
];

const ADDRESS_FIELDS: FieldSpec[] = [
  { name: "address_name", label: "Address name", hint: "How this address is known, for example Home or Office." },
  { name: "first_name", label: "First name", autocomplete: "off" },
  { name: "last_name", label: "Last name", autocomplete: "off" },
  { name: "company", label: "Company" },
  { name: "address_1", label: "Address line 1" },
  { name: "address_2", label: "Address line 2" },
  { name: "postal_code", label: "Postal code" },
  { name: "city", label: "City" },
  { name: "province", label: "Province or state" },
  { name: "country_code", label: "Country code", hint: "Two letters, for example de or us." },
  { name: "phone", label: "Phone", type: "tel" },
  { name: "is_default_shipping", label: "Default shipping address", type: "checkbox" },
  { name: "is_default_billing", label: "Default billing address", type: "checkbox" },
];

export async function customerScreen(frame: Frame, id: string): Promise<void> {
  const [{ customer }, groups, history] = await Promise.all([
    sdk.admin.customer.retrieve(id, { fields: "*addresses,*groups" }),
    sdk.admin.customerGroup.list({ limit: 100, order: "name", fields: "id,name" }),
    sdk.client.fetch<HistoryPage>(`/admin/customers/${encodeURIComponent(id)}/history`, { query: { limit: 20 } }).catch(() => undefined),
  ]);
  const refresh = () => navigate(window.location.hash);
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(" ");

  frame.screen(
    name || customer.email || "Customer",
    h("p", {}, h("a", { href: href("customers") }, "Back to customers")),
    detailsSection(customer, refresh),
    addressesSection(customer, refresh),
    groupsSection(customer, groups.customer_groups, refresh),
    history ? historySection(history) : null,
  );
}

/** Turns a form's values into an update: a field left empty clears it (null), except the email. */
function changes(values: Record<string, string | boolean>, fields: FieldSpec[]): Record<string, string | boolean | null> {
  const body: Record<string, string | boolean | null> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.type === "checkbox") body[field.name] = value === true;
    else if (value !== undefined) body[field.name] = value;
    else if (field.name !== "email") body[field.name] = null;
  }
  return body;
}

function detailsSection(customer: Customer, refresh: () => void): HTMLElement {
  const saved = status();
  const edit = form({
    label: "Customer details",
    fields: DETAIL_FIELDS.map((field) => ({ ...field, value: (customer as unknown as Record<string, string | null>)[field.name] ?? "" })),
    submit: "Save details",
    async onSubmit(f) {
      await sdk.admin.customer.update(customer.id, changes(f.values(), DETAIL_FIELDS));
      refresh();
    },
  });
  const remove = h("button", {
    type: "button",
    class: "danger",
    onclick: async () => {
      if (!window.confirm(`Delete ${customer.email || "this customer"}? This cannot be undone here.`)) return;
      try {
        await sdk.admin.customer.delete(customer.id);
        navigate(href("customers"));
      } catch (error) {
        reportFailure(saved, error);
      }
    },
  }, "Delete customer");
  return h(
    "section",
    { "aria-labelledby": "details-heading" },
    h("h2", { id: "details-heading" }, "Details"),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Account"),
      h("dd", {}, customer.has_account ? "Registered" : "Guest"),
      h("dt", {}, "Created"),
      h("dd", {}, formatDate(customer.created_at)),
      h("dt", {}, "Last changed"),
      h("dd", {}, formatDate(customer.updated_at)),
    ),
    edit.element,
    h("div", { class: "actions" }, remove),
    saved,
  );
}

function addressesSection(customer: Customer, refresh: () => void): HTMLElement {
  const addresses = customer.addresses ?? [];
  const list = h(
    "ul",
    { class: "cards" },
    ...addresses.map((address) => h("li", { class: "card" }, addressCard(customer.id, address, refresh))),
  );
  const add = form({
    label: "Add an address",
    fields: ADDRESS_FIELDS,
    submit: "Add address",
    async onSubmit(f) {
      await sdk.admin.customer.createAddress(customer.id, changes(f.values(), ADDRESS_FIELDS) as HttpTypes.AdminCreateCustomerAddress);
      refresh();
    },
  });
  return h(
    "section",
    { "aria-labelledby": "addresses-heading" },
    h("h2", { id: "addresses-heading" }, "Addresses"),
    addresses.length === 0 ? h("p", { class: "empty" }, "No addresses yet.") : list,
    h("details", {}, h("summary", {}, "Add an address"), add.element),
  );
}

function addressCard(customerId: string, address: Address, refresh: () => void): Node[] {
  const flags = [address.is_default_shipping ? "Default shipping" : null, address.is_default_billing ? "Default billing" : null].filter(Boolean) as string[];
  const title = address.address_name || [address.address_1, address.city].filter(Boolean).join(", ") || "Address";
  const message = status();
  const edit = form({
    label: `Edit ${title}`,
    fields: ADDRESS_FIELDS.map((field) => ({ ...field, value: (address as unknown as Record<string, string | boolean | null>)[field.name] ?? (field.type === "checkbox" ? false : "") })),
    submit: "Save address",
    async onSubmit(f) {
      await sdk.admin.customer.updateAddress(customerId, address.id, changes(f.values(), ADDRESS_FIELDS) as HttpTypes.AdminUpdateCustomerAddress);
      refresh();
    },
  });
  const remove = h("button", {
    type: "button",
    class: "danger",
    "aria-label": `Remove ${title}`,
    onclick: async () => {
      if (!window.confirm(`Remove the address ${title}?`)) return;
      try {
        await sdk.admin.customer.deleteAddress(customerId, address.id);
        refresh();
      } catch (error) {
        reportFailure(message, error);
      }
    },
  }, "Remove");
  const lines = [
    [address.first_name, address.last_name].filter(Boolean).join(" "),
    address.company,
    address.address_1,
    address.address_2,
    [address.postal_code, address.city].filter(Boolean).join(" "),
    [address.province, address.country_code?.toUpperCase()].filter(Boolean).join(", "),
    address.phone,
  ].filter((line): line is string => Boolean(line));
  return [
    h("h3", {}, title),
    flags.length > 0 ? h("p", { class: "badges" }, ...flags.map((flag) => h("span", { class: "badge" }, flag))) : null,
    h("address", {}, ...lines.flatMap((line, i) => (i === 0 ? [line] : [h("br"), line]))),
    h("details", {}, h("summary", {}, `Edit ${title}`), edit.element),
    h("div", { class: "actions" }, remove),
    message,
  ].filter((node): node is HTMLElement => node !== null);
}

function groupsSection(customer: Customer, all: HttpTypes.AdminCustomerGroup[], refresh: () => void): HTMLElement {
  const mine = (customer.groups ?? []) as Array<{ id: string; name: string | null }>;
  const message = status();
  const batch = async (body: { add?: string[]; remove?: string[] }) => {
    try {
      await sdk.admin.customer.batchCustomerGroups(customer.id, body);
      refresh();
    } catch (error) {
      reportFailure(message, error);
    }
  };
  const others = all.filter((group) => !mine.some((g) => g.id === group.id));
  const choice = h("select", { id: "add-group", name: "group" }, ...others.map((group) => h("option", { value: group.id }, group.name ?? group.id)));
  return h(
    "section",
    { "aria-labelledby": "groups-heading" },
    h("h2", { id: "groups-heading" }, "Groups"),
    mine.length === 0
      ? h("p", { class: "empty" }, "Not in any group.")
      : h(
          "ul",
          { class: "chips" },
          ...mine.map((group) =>
            h("li", {}, group.name ?? group.id, " ", h("button", { type: "button", class: "link", "aria-label": `Remove from ${group.name ?? group.id}`, onclick: () => batch({ remove: [group.id] }) }, "Remove")),
          ),
        ),
    others.length === 0
      ? h("p", {}, all.length === 0 ? h("a", { href: href("groups") }, "Create a customer group first") : "In every group.")
      : h(
          "form",
          {
            class: "toolbar",
            "aria-label": "Add to a group",
            onsubmit: (event: Event) => {
              event.preventDefault();
              if (choice.value) void batch({ add: [choice.value] });
            },
          },
          h("div", { class: "field" }, h("label", { for: "add-group" }, "Add to group"), choice),
          h("button", { type: "submit" }, "Add to group"),
        ),
    message,
  );
}

interface HistoryEntry {
  id: string;
  revision: number;
  type: string;
  occurred_at: string;
  created_by: string | null;
  changes: Array<{ field: string; before: unknown; after: unknown }> | null;
}

interface HistoryPage {
  history: HistoryEntry[];
  count: number;
}

function historySection(page: HistoryPage): HTMLElement {
  return h(
    "section",
    { "aria-labelledby": "history-heading" },
    h("h2", { id: "history-heading" }, "History"),
    h("p", {}, page.count > page.history.length ? `The latest ${page.history.length} of ${page.count} changes.` : `${page.count} ${page.count === 1 ? "change" : "changes"}.`),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, ...["When", "What", "Changes", "By"].map((label) => h("th", { scope: "col" }, label)))),
      h(
        "tbody",
        {},
        ...page.history.map((entry) =>
          h(
            "tr",
            {},
            h("td", { "data-label": "When" }, h("time", { datetime: entry.occurred_at }, formatDate(entry.occurred_at))),
            h("td", { "data-label": "What" }, describe(entry.type)),
            h("td", { "data-label": "Changes" }, entry.changes?.length ? h("ul", { class: "changes" }, ...entry.changes.map(describeChange)) : "—"),
            h("td", { "data-label": "By" }, entry.created_by ?? "—"),
          ),
        ),
      ),
    ),
  );
}

/** "first_name: Ada → Augusta"; a field set from nothing shows its new value alone. */
function describeChange(change: { field: string; before: unknown; after: unknown }): HTMLElement {
  const shown = (value: unknown) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 79)}…` : text;
  };
  const nothing = (value: unknown) => value === null || value === undefined;
  const text = nothing(change.before) ? shown(change.after) : nothing(change.after) ? `${shown(change.before)} → (removed)` : `${shown(change.before)} → ${shown(change.after)}`;
  return h("li", {}, h("span", { class: "field-name" }, change.field), ": ", text);
}

/** "CustomerAddressAdded" as "Customer address added". */
function describe(type: string): string {
  const words = type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
