/**
 * The example subscriber's own state, in its own MongoDB database: the groups (id, name) and
 * the memberships (one document per group and customer). Every write is an upsert or a
 * delete by id, so an event handled twice changes nothing the second time.
 */
import type { Collection, Db } from "mongodb";

interface GroupDocument {
  _id: string;
  name: string;
}

interface MembershipDocument {
  _id: string;
  group_id: string;
  customer_id: string;
}

export interface GroupCount {
  id: string;
  name: string;
  customers: number;
}

export class GroupCountsStore {
  readonly #groups: Collection<GroupDocument>;
  readonly #memberships: Collection<MembershipDocument>;

  constructor(database: Db) {
    this.#groups = database.collection<GroupDocument>("groups");
    this.#memberships = database.collection<MembershipDocument>("memberships");
  }

  async nameGroup(id: string, name: string): Promise<void> {
    await this.#groups.updateOne({ _id: id }, { $set: { name } }, { upsert: true });
  }

  async removeGroup(id: string): Promise<void> {
    await this.#memberships.deleteMany({ group_id: id });
    await this.#groups.deleteOne({ _id: id });
  }

  async join(groupId: string, customerId: string): Promise<void> {
    const _id = `${groupId}|${customerId}`;
    await this.#memberships.updateOne({ _id }, { $set: { group_id: groupId, customer_id: customerId } }, { upsert: true });
  }

  async leave(groupId: string, customerId: string): Promise<void> {
    await this.#memberships.deleteOne({ _id: `${groupId}|${customerId}` });
  }

  async removeCustomer(customerId: string): Promise<void> {
    await this.#memberships.deleteMany({ customer_id: customerId });
  }

  /** Every group, by name, with its number of customers. */
  async counts(): Promise<GroupCount[]> {
    const counted = await this.#memberships.aggregate<{ _id: string; customers: number }>([{ $group: { _id: "$group_id", customers: { $sum: 1 } } }]).toArray();
    const byGroup = new Map(counted.map((row) => [row._id, row.customers]));
    const groups = await this.#groups.find({}).toArray();
    return groups
      .map((group) => ({ id: group._id, name: group.name, customers: byGroup.get(group._id) ?? 0 }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}
