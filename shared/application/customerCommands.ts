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
import { ConcurrentWriteConflict } from "../customers/errors.js";
import { type UpdateCustomer, decideUpdateCustomer } from "../customers/updateCustomer.js";
import { type EventStore, WrongExpectedRevision } from "../eventstore/port.js";
import type { Logger } from "../logger.js";
import { type CustomerDocument, customerDocumentFrom } from "../readmodel/customerDocument.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { loadStream } from "./loadStream.js";
import { releaseEmail, reserveEmail } from "./reserveEmail.js";

export interface CustomerCommandDependencies {
  store: EventStore;
  readModel: CustomerReadModel;
  clock: () => Date;
  newCustomerId: () => string;
  newAddressId: () => string;
  logger: Logger;
  readModelWaitMs: number;
  emailReservationGraceMs: number;
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

/** Attempts of an update or delete that keeps losing the race for its stream. */
const MAX_ATTEMPTS = 8;

type StreamEvents = Array<{ event: CustomerEvent; revision: number }>;

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
    const stream = customerStreamName(id);
    let revision: number;
    try {
      ({ revision } = await store.appendToStream(stream, toEventsToAppend(events, context, now), { expectedRevision: "no_stream" }));
    } catch (error) {
      // Only possible when a later create fenced this one as abandoned (see emailReservation.ts).
      if (error instanceof WrongExpectedRevision) throw new ConcurrentWriteConflict(stream);
      throw error;
    }
    return this.#readYourWrite(id, revision, events.map((event, index) => ({ event, revision: index })));
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
    return this.#readYourWrite(id, written.revision, written.stream);
  }

  /** Soft-deletes; unknown or already deleted ids are left as they are (Medusa answers 200 either way). */
  async delete(id: string, context: CommandContext): Promise<void> {
    const written = await this.#write(id, context, (state, now) => decideDeleteCustomer({ type: "DeleteCustomer", data: { id, now } }, state), {
      after: async (_events, state, now) => {
        const email = currentEmail(state);
        if (email !== null) await this.#release(email, id, "customer_deleted", now, context);
      },
    });
    if (written.changed) await this.deps.readModel.waitForCustomer(id, written.revision, this.deps.readModelWaitMs);
  }

  /** Answers with the parent customer, as Medusa's address routes do. */
  async addAddress(customerId: string, input: AddressInput, context: CommandContext): Promise<WriteResult> {
    const addressId = this.deps.newAddressId();
    const written = await this.#write(customerId, context, (state, now) =>
      decideAddAddress({ type: "AddAddress", data: { customer_id: customerId, address_id: addressId, input, now } }, state),
    );
    return this.#readYourWrite(customerId, written.revision, written.stream);
  }

  /** null when there is no such customer (Medusa then answers `{}`). */
  async updateAddress(customerId: string, addressId: string, input: AddressInput, context: CommandContext): Promise<WriteResult | null> {
    const written = await this.#write(customerId, context, (state, now) =>
      decideUpdateAddress({ type: "UpdateAddress", data: { customer_id: customerId, address_id: addressId, input, now } }, state),
    );
    return written.state.status === "active" ? this.#readYourWrite(customerId, written.revision, written.stream) : null;
  }

  async removeAddress(customerId: string, addressId: string, context: CommandContext): Promise<WriteResult | null> {
    const written = await this.#write(customerId, context, (state) =>
      decideRemoveAddress({ type: "RemoveAddress", data: { customer_id: customerId, address_id: addressId } }, state),
    );
    return written.state.status === "active" ? this.#readYourWrite(customerId, written.revision, written.stream) : null;
  }

  /**
   * Decides on the customer's latest state and appends, deciding again on top of any write
   * that got to the stream first. `before` runs ahead of the append (reservations), `after`
   * once it is written (releases).
   */
  async #write(
    id: string,
    context: CommandContext,
    decide: (state: CustomerState, now: Date) => CustomerEvent[],
    hooks: { before?: WriteHook; after?: WriteHook } = {},
  ): Promise<{ state: CustomerState; stream: StreamEvents; revision: number; changed: boolean }> {
    const streamName = customerStreamName(id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = this.deps.clock();
      const loaded = await loadStream(this.deps.store, streamName, evolveCustomer, initialCustomerState);
      const lastRevision = loaded.events.at(-1)?.revision ?? -1;
      const events = decide(loaded.state, now);
      if (events.length === 0) return { state: loaded.state, stream: loaded.events, revision: lastRevision, changed: false };
      await hooks.before?.(events, loaded.state, now);
      try {
        const { revision } = await this.deps.store.appendToStream(streamName, toEventsToAppend(events, context, now), {
          expectedRevision: loaded.expectedRevision,
        });
        await hooks.after?.(events, loaded.state, now);
        const stream = [...loaded.events, ...events.map((event, index) => ({ event, revision: lastRevision + 1 + index }))];
        return { state: stream.reduce((state, { event }) => evolveCustomer(state, event), initialCustomerState()), stream, revision, changed: true };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
      }
    }
    throw new ConcurrentWriteConflict(streamName);
  }

  #reserve(email: string, customerId: string, now: Date, context: CommandContext): Promise<void> {
    return reserveEmail(
      this.deps.store,
      {
        type: "ReserveEmail",
        data: { email, has_account: false, customer_id: customerId, now, pending_grace_ms: this.deps.emailReservationGraceMs },
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

  async #readYourWrite(id: string, revision: number, stream: StreamEvents): Promise<WriteResult> {
    const document = await this.deps.readModel.waitForCustomer(id, revision, this.deps.readModelWaitMs);
    if (document) return { customer: document, source: "read-model" };
    this.deps.logger.warn({ customer_id: id, revision, waited_ms: this.deps.readModelWaitMs }, "read model is behind; answering from the written events");
    return { customer: customerDocumentFrom(stream)!, source: "events" };
  }
}

type WriteHook = (events: CustomerEvent[], state: CustomerState, now: Date) => Promise<void>;

function emailChange(events: CustomerEvent[]): { email?: string | null } | undefined {
  const updated = events.find((event) => event.type === "CustomerUpdated");
  return updated && "email" in updated.data.changes ? updated.data.changes : undefined;
}

function currentEmail(state: CustomerState): string | null {
  return state.status === "active" ? state.customer.email : null;
}
