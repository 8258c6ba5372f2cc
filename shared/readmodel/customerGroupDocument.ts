/**
 * The customer-group document of the read model and the pure projection that builds it from
 * group events. Members are not listed here: membership belongs to the customers' streams
 * and lives in each customer document's `group_ids` (see port.ts for how reads join them).
 */
import type { CustomerGroupEvent, CustomerGroupFields } from "../customerGroups/group.js";

export interface CustomerGroupDocument extends CustomerGroupFields {
  updated_at: string;
  deleted_at: string | null;
  /** Revision of the group stream this document reflects. */
  revision: number;
}

export function projectCustomerGroupEvent(
  document: CustomerGroupDocument | null,
  event: CustomerGroupEvent,
  revision: number,
): CustomerGroupDocument | null {
  switch (event.type) {
    case "CustomerGroupCreated":
      return { ...event.data, updated_at: event.data.created_at, deleted_at: null, revision };
    case "CustomerGroupCreationAbandoned":
      return document;
    case "CustomerGroupUpdated":
      return document && { ...document, ...event.data.changes, updated_at: event.data.updated_at, revision };
    case "CustomerGroupDeleted":
      return document && { ...document, deleted_at: event.data.deleted_at, revision };
  }
}
