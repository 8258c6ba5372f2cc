/**
 * Forms whose fields are labelled, whose errors sit beside the field they are about (tied to
 * it with aria-describedby, and announced), and whose submit button says when it is busy.
 */
import { failureOf, isUnauthorized, messagesByField } from "./errors.js";
import { toLogin } from "./session.js";
import { h, show, uniqueId } from "./dom.js";

export interface FieldSpec {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "tel" | "checkbox";
  autocomplete?: string;
  required?: boolean;
  value?: string | boolean | null;
  hint?: string;
}

export interface Form {
  element: HTMLFormElement;
  /** The fields' values; empty text fields are left out. */
  values(): Record<string, string | boolean>;
  /** Shows a failed call's message: parts naming a field beside it, the rest above the button. */
  showFailure(error: unknown): void;
  clear(): void;
}

export function form(options: {
  label: string;
  fields: FieldSpec[];
  submit: string;
  onSubmit: (form: Form) => Promise<void>;
  extra?: Node[];
  /** A 401 means the session ended (the default), not a failure to show: the login form's own is. */
  signedIn?: boolean;
}): Form {
  const inputs = new Map<string, HTMLInputElement>();
  const errors = new Map<string, HTMLElement>();
  const alert = h("div", { class: "form-error", role: "alert" });
  const button = h("button", { type: "submit", class: "primary" }, options.submit);

  const rows = options.fields.map((field) => {
    const id = uniqueId(field.name);
    const errorId = `${id}-error`;
    const hintId = field.hint ? `${id}-hint` : undefined;
    const input = h("input", {
      id,
      name: field.name,
      type: field.type ?? "text",
      autocomplete: field.autocomplete ?? "off",
      required: field.required ?? false,
      "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    });
    if (field.type === "checkbox") input.checked = field.value === true;
    else if (typeof field.value === "string") input.value = field.value;
    inputs.set(field.name, input);
    const error = h("p", { id: errorId, class: "field-error" });
    errors.set(field.name, error);
    const label = h("label", { for: id }, field.label);
    const hint = hintId ? h("p", { id: hintId, class: "hint" }, field.hint) : null;
    return field.type === "checkbox" ? h("div", { class: "field checkbox" }, input, label, hint, error) : h("div", { class: "field" }, label, input, hint, error);
  });

  const element = h("form", { "aria-label": options.label, novalidate: true }, ...rows, ...(options.extra ?? []), alert, h("div", { class: "actions" }, button));

  const result: Form = {
    element,
    values() {
      const values: Record<string, string | boolean> = {};
      for (const [name, input] of inputs) {
        if (input.type === "checkbox") values[name] = input.checked;
        else if (input.value !== "") values[name] = input.value;
      }
      return values;
    },
    clear() {
      show(alert);
      for (const [name, error] of errors) {
        show(error);
        inputs.get(name)!.removeAttribute("aria-invalid");
      }
    },
    showFailure(error) {
      result.clear();
      const { message } = failureOf(error);
      const { byField, rest } = messagesByField(message, [...inputs.keys()]);
      let first: HTMLInputElement | undefined;
      for (const [name, issues] of byField) {
        show(errors.get(name)!, issues.join(". "));
        const input = inputs.get(name)!;
        input.setAttribute("aria-invalid", "true");
        first ??= input;
      }
      if (rest.length > 0 || byField.size === 0) show(alert, byField.size === 0 ? message : rest.join("; "));
      first?.focus();
    },
  };

  element.addEventListener("submit", (event) => {
    event.preventDefault();
    if (button.disabled) return;
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    result.clear();
    options
      .onSubmit(result)
      .catch((error: unknown) => (options.signedIn !== false && isUnauthorized(error) ? toLogin() : result.showFailure(error)))
      .finally(() => {
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
  });
  return result;
}
