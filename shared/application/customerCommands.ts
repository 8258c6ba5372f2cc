/**
 * Customer commands as the API runs them: decide, reserve what must be unique, append,
 * then answer from the read model (read-your-writes).
 */
import {
  type CustomerEvent,
  type CustomerState,
  customerStreamName,
  evolveCustomer,
  initialCustomerState,
} from "../customers/customer.js";
import { type CreateCustomer, decideCreateCustomer } from "../customers/createCustomer.js";
import { type AddressInput, decideAddAddress, decideRemoveAddress, decideUpdateAddress } from "../customers/address.js";
import { decideDeleteCustomer } from "../customers/deleteCustomer.js";
import { ConcurrentWriteConflict } from "../errors.js";
import { RelatedEntityNotFound } from "../customers/errors.js";
import { decideChangeMemberships } from "../customers/membership.js";
import { customerGroupStreamName, evolveCustomerGroup, initialCustomerGroupState } from "../customerGroups/group.js";
import { type UpdateCustomer, decideUpdateCustomer } from "../customers/updateCustomer.js";
import type { EventStore } from "../eventstore/port.js";
import type { Logger } from "../logger.js";
import { type CustomerDocument, projectCustomerEvent } from "../readmodel/customerDocument.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import type { CommandContext } from "./context.js";
import type { ReadYourWrites } from "./readYourWrites.js";
import { type WriteHook, type Written, decideAndAppend } from "./decideAndAppend.js";
import { type DecisionWithDocument, decisionWithDocument } from "./decisionWithDocument.js";
import { loadStream } from "./loadStream.js";
import { releaseEmail, reserveEmail } from "./reserveEmail.js";
import { appendToNewStream } from "./runReservation.js";
import type { StreamStateCache } from "./streamStateCache.js";

export interface CustomerCommandDependencies {
  store: EventStore;
  readModel: CustomerReadModel;
  clock: () => Date;
  newCustomerId: () => string;
  newAddressId: () => string;
  logger: Logger;
  readYourWrites: ReadYourWrites;
  reservationGraceMs: number;
  /** Decided states by revision, so a write does not replay the whole stream. */
  states?: StreamStateCache;
}

export interface WriteResult {
  customer: CustomerDocument;
  /**
   * "read-model" when the answer is the read model's document at or after the write;
   * "events" when the read model was still behind after the wait and the answer was built
   * from the events just written by the same projection.
   */
  source: "read-model" | "events";
}

export type CreateCustomerInput = Omit<CreateCustomer["data"], "id" | "created_by" | "now">;
export type UpdateCustomerInput = Omit<UpdateCustomer["data"], "id" | "now">;

const CUSTOMER = decisionWithDocument("customer", { evolve: evolveCustomer, initialState: initialCustomerState }, projectCustomerEvent);
type CustomerStream = DecisionWithDocument<CustomerState, CustomerDocument>;

export class CustomerCommands {
  constructor(private readonly deps: CustomerCommandDependencies) {}

  async create(input: CreateCustomerInput, context: CommandContext): Promise<WriteResult> {
    const { store, clock, newCustomerId } = this.deps;
    const id = newCustomerId();
    const now = clock();
    const events = decideCreateCustomer(
      { type: "CreateCustomer", data: { ...input, id, created_by: context.actor.id, now } },
      initialCustomerState(),
    );
    if (typeof input.email === "string") await this.#reserve(input.email, id, now, context);
    const revision = await appendToNewStream(store, customerStreamName(id), events, context, now);
    const created = events.reduce((state, event, index) => CUSTOMER.evolve(state, event, index), CUSTOMER.initialState());
    this.deps.states?.set(CUSTOMER.kind, customerStreamName(id), { revision, state: created });
    return this.#readYourWrite(id, revision, created.document);
  }

  /**
   * Applies the update to the latest state; when another write gets to the stream first,
   * it decides again on top of that write, so no change is ever lost silently.
   */
  async update(id: string, input: UpdateCustomerInput, context: CommandContext): Promise<WriteResult> {
    const written = await this.#write(id, context, (state, now) => decideUpdateCustomer({ type: "UpdateCustomer", data: { ...input, id, now } }, state), {
      before: async (events, _state, now) => {
        const changes = emailChange(events);
        if (changes && typeof changes.email === "string") await this.#reserve(changes.email, id, now, context);
      },
      after: async (events, state, now) => {
        const previous = currentEmail(state);
        if (emailChange(events) && previous !== null) await this.#release(previous, id, "email_changed", now, context);
      },
    });
    return this.#readYourWrite(id, written.revision, written.state.document);
  }

  /** Soft-deletes; unknown or already deleted ids are left as they are (Medusa answers 200 either way). */
  async delete(id: string, context: CommandContext): Promise<void> {
    const written = await this.#write(id, context, (state, now) => decideDeleteCustomer({ type: "DeleteCustomer", data: { id, now } }, state), {
      after: async (_events, state, now) => {
        const email = currentEmail(state);
        if (email !== null) await this.#release(email, id, "customer_deleted", now, context);
      },
    });
    if (written.changed) await this.deps.readYourWrites.customer(id, written.revision);
  }

  /** Answers with the parent customer, as Medusa's address routes do. */
  async addAddress(customerId: string, input: AddressInput, context: CommandContext): Promise<WriteResult> {
    const addressId = this.deps.newAddressId();
    const written = await this.#write(customerId, context, (state, now) =>
      decideAddAddress({ type: "AddAddress", data: { customer_id: customerId, address_id: addressId, input, now } }, state),
    );
    return this.#readYourWrite(customerId, written.revision, written.state.document);
  }

  /** null when there is no such customer (Medusa then answers `{}`). */
  async updateAddress(customerId: string, addressId: string, input: AddressInput, context: CommandContext): Promise<WriteResult | null> {
    const written = await this.#write(customerId, context, (state, now) =>
      decideUpdateAddress({ type: "UpdateAddress", data: { customer_id: customerId, address_id: addressId, input, now } }, state),
    );
    return written.state.decision.status === "active" ? this.#readYourWrite(customerId, written.revision, written.state.document) : null;
  }

  async removeAddress(customerId: string, addressId: string, context: CommandContext): Promise<WriteResult | null> {
    const written = await this.#write(customerId, context, (state) =>
      decideRemoveAddress({ type: "RemoveAddress", data: { customer_id: customerId, address_id: addressId } }, state),
    );
    return written.state.decision.status === "active" ? this.#readYourWrite(customerId, written.revision, written.state.document) : null;
  }

  /**
   * Route 11: adds the customer to live groups and removes it from others. null when the
   * customer does not exist and nothing is to be added (Medusa then answers `{}`).
   */
  async changeGroups(customerId: string, change: { add: string[]; remove: string[] }, context: CommandContext): Promise<WriteResult | null> {
    const liveGroups = await this.#liveGroups(change.add);
    const written = await this.#write(customerId, context, (state) =>
      decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: customerId, ...change } }, state, liveGroups),
    );
    return written.state.decision.status === "active" ? this.#readYourWrite(customerId, written.revision, written.state.document) : null;
  }

  /**
   * Route 17: adds customers to a group and removes others, one customer stream at a time.
   * Every customer to add is checked first, so an unknown one changes nothing; a failure
   * part-way (the store going away) leaves the earlier customers changed, and the request
   * can be repeated: memberships already there are not recorded twice.
   */
  async changeGroupMembers(groupId: string, change: { add: string[]; remove: string[] }, context: CommandContext): Promise<void> {
    const liveGroups = await this.#liveGroups([groupId]);
    if (change.add.length > 0 && !liveGroups.has(groupId)) throw new RelatedEntityNotFound("customer_group_id", groupId);
    for (const customerId of new Set(change.add)) {
      const { state } = await loadStream(this.deps.store, customerStreamName(customerId), CUSTOMER, this.deps.states);
      if (state.decision.status !== "active") throw new RelatedEntityNotFound("customer_id", customerId);
    }
    const members = new Map<string, { add: string[]; remove: string[] }>();
    for (const customerId of change.add) members.set(customerId, { add: [groupId], remove: [] });
    for (const customerId of change.remove) if (!members.has(customerId)) members.set(customerId, { add: [], remove: [groupId] });
    const waits: Array<Promise<unknown>> = [];
    for (const [customerId, membership] of members) {
      const written = await this.#write(customerId, context, (state) =>
        state.status === "active" ? decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: customerId, ...membership } }, state, liveGroups) : [],
      );
      if (written.changed) waits.push(this.deps.readYourWrites.customer(customerId, written.revision));
    }
    // The answer shows the group's customers: let the read model reflect them first.
    await Promise.all(waits);
  }

  /** The ids among `groupIds` whose group exists and is not deleted, from their streams. */
  async #liveGroups(groupIds: string[]): Promise<Set<string>> {
    const states = await Promise.all(
      [...new Set(groupIds)].map(async (groupId) => {
        const { state } = await loadStream(this.deps.store, customerGroupStreamName(groupId), { evolve: evolveCustomerGroup, initialState: initialCustomerGroupState });
        return [groupId, state.status] as const;
      }),
    );
    return new Set(states.filter(([, status]) => status === "active").map(([groupId]) => groupId));
  }

  #write(
    id: string,
    context: CommandContext,
    decide: (state: CustomerState, now: Date) => CustomerEvent[],
    hooks: { before?: WriteHook<CustomerState, CustomerEvent>; after?: WriteHook<CustomerState, CustomerEvent> } = {},
  ): Promise<Written<CustomerStream, CustomerEvent>> {
    const { before, after } = hooks;
    return decideAndAppend(this.deps.store, customerStreamName(id), CUSTOMER, (state, now) => decide(state.decision, now), {
      clock: this.deps.clock,
      context,
      states: this.deps.states,
      ...(before && { before: (events, state, now) => before(events, state.decision, now) }),
      ...(after && { after: (events, state, now) => after(events, state.decision, now) }),
    });
  }

  #reserve(email: string, customerId: string, now: Date, context: CommandContext): Promise<void> {
    return reserveEmail(
      this.deps.store,
      {
        type: "ReserveEmail",
        data: { email, has_account: false, customer_id: customerId, now, pending_grace_ms: this.deps.reservationGraceMs },
      },
      context,
    );
  }

  async #release(email: string, customerId: string, reason: "customer_deleted" | "email_changed", now: Date, context: CommandContext): Promise<void> {
    try {
      await releaseEmail(this.deps.store, { type: "ReleaseEmail", data: { email, has_account: false, customer_id: customerId, reason, now } }, context);
    } catch (error) {
      // The change itself is written; the email is reclaimed by its next create (see emailReservation.ts).
      this.deps.logger.warn({ err: error, customer_id: customerId, reason }, "could not release an email reservation");
    }
  }

  async #readYourWrite(id: string, revision: number, written: CustomerDocument | null): Promise<WriteResult> {
    const document = await this.deps.readYourWrites.customer(id, revision);
    if (document) return { customer: document, source: "read-model" };
    if (!written) throw new ConcurrentWriteConflict(customerStreamName(id));
    return { customer: written, source: "events" };
  }
}

function emailChange(events: CustomerEvent[]): { email?: string | null } | undefined {
  const updated = events.find((event) => event.type === "CustomerUpdated");
  return updated && "email" in updated.data.changes ? updated.data.changes : undefined;
}

function currentEmail(state: CustomerState): string | null {
  return state.status === "active" ? state.customer.email : null;
}
