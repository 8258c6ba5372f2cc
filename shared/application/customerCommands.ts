/**
 * Customer commands as the API runs them: decide, reserve what must be unique, append. Each
 * answers with what it wrote; the HTTP layer shows it once the read model does
 * (shared/readmodel/readYourWrites.ts).
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
import { decideEraseCustomer } from "../customers/eraseCustomer.js";
import { RelatedEntityNotFound } from "../customers/errors.js";
import { decideChangeMemberships } from "../customers/membership.js";
import { customerGroupStreamName, evolveCustomerGroup, initialCustomerGroupState } from "../customerGroups/group.js";
import { type UpdateCustomer, decideUpdateCustomer } from "../customers/updateCustomer.js";
import type { EventStore, StreamAppend } from "../eventstore/port.js";
import { loadStream } from "../eventstore/loadStream.js";
import type { StreamStateCache } from "../eventstore/streamStateCache.js";
import type { Logger } from "../logger.js";
import { type Handled, type HandleOptions, handleCommand } from "./commandHandler.js";
import type { CommandContext } from "./context.js";
import type { CustomerEmailReservations } from "./reservations.js";

export interface CustomerCommandDependencies {
  store: EventStore;
  clock: () => Date;
  newCustomerId: () => string;
  newAddressId: () => string;
  logger: Logger;
  reservationGraceMs: number;
  /** Customer emails' reservations, built per process with the email index key (reservations.ts). */
  emails: CustomerEmailReservations;
  /** Decided states by revision, so a write does not replay the whole stream. */
  states?: StreamStateCache;
  /** The customers' data keys, destroyed on erasure (shared/keystore); erase() needs them. */
  dataKeys?: { destroy(subject: string): Promise<boolean> };
}

/** What a command wrote to one customer's stream. */
export interface CustomerWritten {
  id: string;
  /** The stream's revision after the write (as found, when nothing changed). */
  revision: number;
  events: CustomerEvent[];
}

export type CreateCustomerInput = Omit<CreateCustomer["data"], "id" | "created_by" | "now">;
export type UpdateCustomerInput = Omit<UpdateCustomer["data"], "id" | "now">;

const CUSTOMER = { kind: "customer", evolve: evolveCustomer, initialState: initialCustomerState };

const written = (id: string, handled: Handled<CustomerState, CustomerEvent>): CustomerWritten => ({ id, revision: handled.revision, events: handled.events });
/** null when the customer is not there (Medusa then answers `{}`). */
const writtenIfActive = (id: string, handled: Handled<CustomerState, CustomerEvent>): CustomerWritten | null =>
  handled.state.status === "active" ? written(id, handled) : null;

export class CustomerCommands {
  constructor(private readonly deps: CustomerCommandDependencies) {}

  async create(input: CreateCustomerInput, context: CommandContext): Promise<CustomerWritten> {
    const id = this.deps.newCustomerId();
    const handled = await this.#write(
      id,
      context,
      (state, now) => decideCreateCustomer({ type: "CreateCustomer", data: { ...input, id, created_by: context.actor.id, now } }, state),
      {
        newStream: true,
        alongside: async (_events, _state, now, attempt) => (typeof input.email === "string" ? this.#claim(input.email, id, now, context, attempt) : []),
      },
    );
    return written(id, handled);
  }

  /**
   * Applies the update to the latest state; when another write gets to the stream first,
   * it decides again on top of that write, so no change is ever lost silently.
   */
  async update(id: string, input: UpdateCustomerInput, context: CommandContext): Promise<CustomerWritten> {
    const handled = await this.#write(id, context, (state, now) => decideUpdateCustomer({ type: "UpdateCustomer", data: { ...input, id, now } }, state), {
      alongside: async (events, _state, now, attempt) => {
        const changes = emailChange(events);
        return changes && typeof changes.email === "string" ? this.#claim(changes.email, id, now, context, attempt) : [];
      },
      alongsideAfter: async (events, state, now) => {
        const previous = currentEmail(state);
        const changes = emailChange(events);
        return changes && previous !== null && previous !== changes.email ? this.#release(previous, id, "email_changed", now, context) : [];
      },
      followUpFailed: (error) => this.#releaseFailed(error, id, "email_changed"),
    });
    return written(id, handled);
  }

  /** Soft-deletes; unknown or already deleted ids are left as they are (Medusa answers 200 either way). */
  async delete(id: string, context: CommandContext): Promise<CustomerWritten> {
    const handled = await this.#write(id, context, (state, now) => decideDeleteCustomer({ type: "DeleteCustomer", data: { id, now } }, state), {
      alongsideAfter: async (_events, state, now) => {
        const email = currentEmail(state);
        return email === null ? [] : this.#release(email, id, "customer_deleted", now, context);
      },
      followUpFailed: (error) => this.#releaseFailed(error, id, "customer_deleted"),
    });
    return written(id, handled);
  }

  /**
   * Erases a live or deleted customer's personal data: records CustomerErased (with the
   * release of its email, as a deletion does), then destroys its data key, after which the
   * personal fields of its events read as null everywhere. Repeating it, or erasing an id
   * that never was a customer, writes nothing; a repeat destroys the key again, so an erasure
   * whose key could not be destroyed the first time is completed by asking again.
   */
  async erase(id: string, context: CommandContext): Promise<CustomerWritten & { erased: boolean }> {
    const { dataKeys } = this.deps;
    if (!dataKeys) throw new Error("Erasing a customer needs the data keys");
    const handled = await this.#write(id, context, (state, now) => decideEraseCustomer({ type: "EraseCustomer", data: { id, now } }, state), {
      alongsideAfter: async (_events, state, now) => {
        const email = currentEmail(state);
        return email === null ? [] : this.#release(email, id, "customer_deleted", now, context);
      },
      followUpFailed: (error) => this.#releaseFailed(error, id, "customer_deleted"),
    });
    const erased = handled.state.status === "erased";
    if (erased) await dataKeys.destroy(id);
    return { ...written(id, handled), erased };
  }

  /** Answers with the parent customer, as Medusa's address routes do. */
  async addAddress(customerId: string, input: AddressInput, context: CommandContext): Promise<CustomerWritten> {
    const addressId = this.deps.newAddressId();
    const handled = await this.#write(customerId, context, (state, now) =>
      decideAddAddress({ type: "AddAddress", data: { customer_id: customerId, address_id: addressId, input, now } }, state),
    );
    return written(customerId, handled);
  }

  async updateAddress(customerId: string, addressId: string, input: AddressInput, context: CommandContext): Promise<CustomerWritten | null> {
    const handled = await this.#write(customerId, context, (state, now) =>
      decideUpdateAddress({ type: "UpdateAddress", data: { customer_id: customerId, address_id: addressId, input, now } }, state),
    );
    return writtenIfActive(customerId, handled);
  }

  async removeAddress(customerId: string, addressId: string, context: CommandContext): Promise<CustomerWritten | null> {
    const handled = await this.#write(customerId, context, (state) =>
      decideRemoveAddress({ type: "RemoveAddress", data: { customer_id: customerId, address_id: addressId } }, state),
    );
    return writtenIfActive(customerId, handled);
  }

  /**
   * Adds the customer to live groups and removes it from others. null when the customer
   * does not exist and nothing is to be added (Medusa then answers `{}`).
   */
  async changeGroups(customerId: string, change: { add: string[]; remove: string[] }, context: CommandContext): Promise<CustomerWritten | null> {
    const liveGroups = await this.#liveGroups(change.add);
    const handled = await this.#write(customerId, context, (state) =>
      decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: customerId, ...change } }, state, liveGroups),
    );
    return writtenIfActive(customerId, handled);
  }

  /**
   * Adds customers to a group and removes others, one customer stream at a time. Every
   * customer to add is checked first, so an unknown one changes nothing; a failure part-way
   * (the store going away) leaves the earlier customers changed, and the request can be
   * repeated: memberships already there are not recorded twice. Answers with the customers
   * it changed.
   */
  async changeGroupMembers(groupId: string, change: { add: string[]; remove: string[] }, context: CommandContext): Promise<CustomerWritten[]> {
    const liveGroups = await this.#liveGroups([groupId]);
    if (change.add.length > 0 && !liveGroups.has(groupId)) throw new RelatedEntityNotFound("customer_group_id", groupId);
    for (const customerId of new Set(change.add)) {
      const { state } = await loadStream(this.deps.store, customerStreamName(customerId), CUSTOMER, this.deps.states);
      if (state.status !== "active") throw new RelatedEntityNotFound("customer_id", customerId);
    }
    const members = new Map<string, { add: string[]; remove: string[] }>();
    for (const customerId of change.add) members.set(customerId, { add: [groupId], remove: [] });
    for (const customerId of change.remove) if (!members.has(customerId)) members.set(customerId, { add: [], remove: [groupId] });
    const changed: CustomerWritten[] = [];
    for (const [customerId, membership] of members) {
      const handled = await this.#write(customerId, context, (state) =>
        state.status === "active" ? decideChangeMemberships({ type: "ChangeMemberships", data: { customer_id: customerId, ...membership } }, state, liveGroups) : [],
      );
      if (handled.changed) changed.push(written(customerId, handled));
    }
    return changed;
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
    options: Pick<HandleOptions<CustomerState, CustomerEvent>, "alongside" | "alongsideAfter" | "followUpFailed" | "newStream"> = {},
  ): Promise<Handled<CustomerState, CustomerEvent>> {
    return handleCommand(this.deps.store, customerStreamName(id), CUSTOMER, decide, { clock: this.deps.clock, context, states: this.deps.states, ...options });
  }

  /** The first attempt assumes the email new, unless the store still holds reservations under their older names (reservation.ts). */
  #claim(email: string, customerId: string, now: Date, context: CommandContext, attempt: number): Promise<StreamAppend[]> {
    const command = { type: "ReserveEmail" as const, data: { email, has_account: false, customer_id: customerId, now, pending_grace_ms: this.deps.reservationGraceMs } };
    return this.deps.emails.claim(this.deps.store, command, context, now, { assumeNew: attempt === 0 });
  }

  #release(email: string, customerId: string, reason: "customer_deleted" | "email_changed", now: Date, context: CommandContext): Promise<StreamAppend[]> {
    const command = { type: "ReleaseEmail" as const, data: { email, has_account: false, customer_id: customerId, reason, now } };
    return this.deps.emails.release(this.deps.store, command, context, now);
  }

  #releaseFailed(error: unknown, customerId: string, reason: "customer_deleted" | "email_changed"): void {
    // The change itself is written; the email is reclaimed by its next create (see emailReservation.ts).
    this.deps.logger.warn({ err: error, customer_id: customerId, reason }, "could not release an email reservation");
  }
}

function emailChange(events: CustomerEvent[]): { email?: string | null } | undefined {
  const updated = events.find((event) => event.type === "CustomerUpdated");
  return updated && "email" in updated.data.changes ? updated.data.changes : undefined;
}

function currentEmail(state: CustomerState): string | null {
  return state.status === "active" ? state.customer.email : null;
}
