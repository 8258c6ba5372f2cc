/**
 * Response bodies of customers and groups, shaped by `fields`. Relations are joined here, by
 * id, only when `fields` asks for them: a customer's groups from the group documents, a
 * group's customers from the customer documents that list it. Deleted groups never show.
 */
import type { CustomerDocument } from "../readmodel/customerDocument.js";
import type { CustomerGroupDocument } from "../readmodel/customerGroupDocument.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import { where } from "../readmodel/query.js";
import { CUSTOMER_COLUMNS, CUSTOMER_GROUP_COLUMNS, CUSTOMER_RELATIONS, DEFAULT_CUSTOMER_FIELDS, DEFAULT_CUSTOMER_GROUP_FIELDS } from "./answerColumns.js";
import { type FieldSelection, parseFields, shapeEntity } from "./fields.js";

/** The most members `*customers` shows for one group. */
export const MAX_EXPANDED_MEMBERS = 10_000;

const GROUP_RELATIONS = { customers: CUSTOMER_COLUMNS } as const;

function asksFor(selection: FieldSelection, relation: string): boolean {
  return selection.relations.includes(relation) || selection.fields.some((field) => field === relation || field.startsWith(`${relation}.`));
}

/** A customer as the API shows it, with its live groups (needed only when `fields` asks for them). */
export function shapeCustomer(document: CustomerDocument, selection: FieldSelection | string | undefined, groups: CustomerGroupDocument[] = []): Record<string, unknown> {
  const fields = typeof selection === "object" ? selection : parseFields(selection, DEFAULT_CUSTOMER_FIELDS);
  // Without groups to show, the document itself (a missing relation shows as none): no copy per customer of a page.
  const entity = groups.length > 0 ? { ...document, groups } : document;
  return shapeEntity(entity as unknown as Record<string, unknown>, fields, DEFAULT_CUSTOMER_FIELDS, CUSTOMER_RELATIONS);
}

/** A group as the API shows it, with its live customers (needed only when `fields` asks for them). */
export function shapeGroup(document: CustomerGroupDocument, selection: FieldSelection | string | undefined, customers: CustomerDocument[] = []): Record<string, unknown> {
  const fields = typeof selection === "object" ? selection : parseFields(selection, DEFAULT_CUSTOMER_GROUP_FIELDS);
  return shapeEntity({ ...document, customers } as unknown as Record<string, unknown>, fields, CUSTOMER_GROUP_COLUMNS, GROUP_RELATIONS);
}

export class Presenter {
  constructor(private readonly readModel: CustomerReadModel) {}

  async customer(document: CustomerDocument, fields: string | undefined): Promise<Record<string, unknown>> {
    return (await this.customers([document], fields))[0]!;
  }

  async customers(documents: CustomerDocument[], fields: string | undefined): Promise<Array<Record<string, unknown>>> {
    const selection = parseFields(fields, DEFAULT_CUSTOMER_FIELDS);
    let groupsOf = (_customer: CustomerDocument): CustomerGroupDocument[] => [];
    if (asksFor(selection, "groups")) {
      const groups = await this.readModel.groups.getMany([...new Set(documents.flatMap((document) => document.group_ids))]);
      groupsOf = (customer) =>
        customer.group_ids.map((id) => groups.get(id)).filter((group): group is CustomerGroupDocument => group !== undefined && group.deleted_at === null);
    }
    return documents.map((document) => shapeCustomer(document, selection, groupsOf(document)));
  }

  async group(document: CustomerGroupDocument, fields: string | undefined): Promise<Record<string, unknown>> {
    return (await this.groups([document], fields))[0]!;
  }

  async groups(documents: CustomerGroupDocument[], fields: string | undefined): Promise<Array<Record<string, unknown>>> {
    const selection = parseFields(fields, DEFAULT_CUSTOMER_GROUP_FIELDS);
    const expand = asksFor(selection, "customers");
    return Promise.all(
      documents.map(async (document) => {
        const customers = expand ? await this.#members(document.id) : [];
        return shapeGroup(document, selection, customers);
      }),
    );
  }

  async #members(groupId: string): Promise<CustomerDocument[]> {
    const page = await this.readModel.customers.list({ filter: where.eq("group_ids", groupId), sort: { field: "id", direction: 1 }, skip: 0, limit: MAX_EXPANDED_MEMBERS });
    return page.documents;
  }
}
