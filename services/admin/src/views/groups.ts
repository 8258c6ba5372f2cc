/** Customer groups: the list, with how many customers each has, and creating one. */
import { h } from "../dom.js";
import { form } from "../form.js";
import type { Frame } from "../layout.js";
import { status } from "../layout.js";
import { navigate } from "../router.js";
import { sdk } from "../sdk.js";
import { formatDate } from "./customers.js";

export async function groupsScreen(frame: Frame): Promise<void> {
  const { customer_groups: groups, count } = await sdk.admin.customerGroup.list({ limit: 100, order: "name", fields: "id,name,created_at,*customers" });
  const create = form({
    label: "New customer group",
    fields: [{ name: "name", label: "Name", required: true }],
    submit: "Create group",
    async onSubmit(f) {
      await sdk.admin.customerGroup.create({ name: String(f.values().name ?? "") });
      navigate(window.location.hash);
    },
  });
  frame.screen(
    "Customer groups",
    status(`${count} ${count === 1 ? "group" : "groups"}`),
    groups.length === 0
      ? h("p", { class: "empty" }, "No customer groups yet.")
      : h(
          "table",
          {},
          h("thead", {}, h("tr", {}, ...["Name", "Customers", "Created"].map((label) => h("th", { scope: "col" }, label)))),
          h(
            "tbody",
            {},
            ...groups.map((group) =>
              h(
                "tr",
                {},
                h("td", { "data-label": "Name" }, group.name ?? group.id),
                h("td", { "data-label": "Customers" }, String(group.customers?.length ?? 0)),
                h("td", { "data-label": "Created" }, formatDate(group.created_at)),
              ),
            ),
          ),
        ),
    h("h2", {}, "Create a group"),
    create.element,
  );
}
