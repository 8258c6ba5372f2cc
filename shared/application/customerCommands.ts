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
    const stream = customerStreamName(id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = this.deps.clock();
      const loaded = await loadStream(this.deps.store, stream, evolveCustomer, initialCustomerState);
      const events = decideUpdateCustomer({ type: "UpdateCustomer", data: { ...input, id, now } }, loaded.state);
      const lastRevision = loaded.events.at(-1)?.revision ?? -1;
      if (events.length === 0) return this.#readYourWrite(id, lastRevision, loaded.events);
      const previousEmail = currentEmail(loaded.state);
      const changes = events[0]!.type === "CustomerUpdated" ? events[0]!.data.changes : {};
      const emailChanges = "email" in changes;
      if (emailChanges && typeof changes.email === "string") await this.#reserve(changes.email, id, now, context);
      try {
        const { revision } = await this.deps.store.appendToStream(stream, toEventsToAppend(events, context, now), {
          expectedRevision: loaded.expectedRevision,
        });
        if (emailChanges && previousEmail !== null) await this.#release(previousEmail, id, "email_changed", now, context);
        return this.#readYourWrite(id, revision, [...loaded.events, ...events.map((event, index) => ({ event, revision: lastRevision + 1 + index }))]);
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
      }
    }
    throw new ConcurrentWriteConflict(stream);
  }

  /** Soft-deletes; unknown or already deleted ids are left as they are (Medusa answers 200 either way). */
  async delete(id: string, context: CommandContext): Promise<void> {
    const stream = customerStreamName(id);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const now = this.deps.clock();
      const loaded = await loadStream(this.deps.store, stream, evolveCustomer, initialCustomerState);
      const events = decideDeleteCustomer({ type: "DeleteCustomer", data: { id, now } }, loaded.state);
      if (events.length === 0) return;
      try {
        const { revision } = await this.deps.store.appendToStream(stream, toEventsToAppend(events, context, now), {
          expectedRevision: loaded.expectedRevision,
        });
        const email = currentEmail(loaded.state);
        if (email !== null) await this.#release(email, id, "customer_deleted", now, context);
        await this.deps.readModel.waitForCustomer(id, revision, this.deps.readModelWaitMs);
        return;
      } catch (error) {
        if (!(error instanceof WrongExpectedRevision)) throw error;
      }
    }
    throw new ConcurrentWriteConflict(stream);
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

function currentEmail(state: CustomerState): string | null {
  return state.status === "active" ? state.customer.email : null;
}
