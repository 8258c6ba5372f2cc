/**
 * Filters on a related entity (customers by their groups, groups by their customers),
 * resolved to ids before the list query runs: the related documents matching the filter are
 * found first, then the list is filtered by their ids. Each entity stays in its own
 * document (see readmodel/port.ts), so a deleted group stops matching at once.
 */
import type { Query } from "../readmodel/query.js";
import type { CustomerReadModel } from "../readmodel/port.js";

/** The most related documents one filter resolves to. */
const MAX_RELATED = 100_000;

export interface RelatedIds {
  /** Ids of the live groups matching `filter`. */
  groups(filter: Query): Promise<string[]>;
  /** Ids of the groups the live customers matching `filter` belong to. */
  groupsOfCustomers(filter: Query): Promise<string[]>;
}

export function relatedIds(readModel: CustomerReadModel): RelatedIds {
  const byId = { field: "id", direction: 1 } as const;
  return {
    async groups(filter) {
      const page = await readModel.groups.list({ filter, sort: byId, skip: 0, limit: MAX_RELATED });
      return page.documents.map((group) => group.id);
    },
    groupsOfCustomers: async (filter) => (await readModel.customers.distinct("group_ids", filter)) as string[],
  };
}
