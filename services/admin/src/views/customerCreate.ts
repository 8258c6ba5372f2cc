/** Creating a customer; the API's validation messages are shown beside the fields they name. */
import { h } from "../dom.js";
import { form } from "../form.js";
import type { Frame } from "../layout.js";
import { href, navigate } from "../router.js";
import { sdk } from "../sdk.js";

export function customerCreateScreen(frame: Frame): void {
  const create = form({
    label: "New customer",
    fields: [
      { name: "email", label: "Email", type: "email", autocomplete: "off" },
      { name: "first_name", label: "First name" },
      { name: "last_name", label: "Last name" },
      { name: "company_name", label: "Company" },
      { name: "phone", label: "Phone", type: "tel" },
    ],
    submit: "Create customer",
    async onSubmit(f) {
      const { customer } = await sdk.admin.customer.create(f.values() as Record<string, string>);
      navigate(href("customers", customer.id));
    },
  });
  frame.screen("Create customer", h("p", {}, h("a", { href: href("customers") }, "Back to customers")), create.element);
}
