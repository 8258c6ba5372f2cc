/**
 * Customer commands as the API runs them: decide, reserve what must be unique, append,
 * then answer from the read model (read-your-writes).
 */
import { type CustomerEvent, customerStreamName, initialCustomerState } from "../customers/customer.js";
import { type CreateCustomer, decideCreateCustomer } from "../customers/createCustomer.js";
import { ConcurrentWriteConflict } from "../customers/errors.js";
import { type EventStore, WrongExpectedRevision } from "../eventstore/port.js";
import type { Logger } from "../logger.js";
import { type CustomerDocument, customerDocumentFrom } from "../readmodel/customerDocument.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import { type CommandContext, toEventsToAppend } from "./context.js";
import { reserveEmail } from "./reserveEmail.js";

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
    if (typeof input.email === "string") {
      await reserveEmail(
        store,
        {
          type: "ReserveEmail",
          data: {
            email: input.email,
            has_account: false,
            customer_id: id,
            now,
            pending_grace_ms: this.deps.emailReservationGraceMs,
          },
        },
        context,
      );
    }
    const stream = customerStreamName(id);
    let revision: number;
    try {
      ({ revision } = await store.appendToStream(stream, toEventsToAppend(events, context, now), { expectedRevision: "no_stream" }));
    } catch (error) {
      // Only possible when a later create fenced this one as abandoned (see emailReservation.ts).
      if (error instanceof WrongExpectedRevision) throw new ConcurrentWriteConflict(stream);
      throw error;
    }
    return this.#readYourWrite(id, revision, events);
  }

  async #readYourWrite(id: string, revision: number, written: CustomerEvent[]): Promise<WriteResult> {
    const document = await this.deps.readModel.waitForCustomer(id, revision, this.deps.readModelWaitMs);
    if (document) return { customer: document, source: "read-model" };
    this.deps.logger.warn({ customer_id: id, revision, waited_ms: this.deps.readModelWaitMs }, "read model is behind; answering from the written events");
    const firstRevision = revision - written.length + 1;
    const fromEvents = customerDocumentFrom(written.map((event, index) => ({ event, revision: firstRevision + index })));
    return { customer: fromEvents!, source: "events" };
  }
}
