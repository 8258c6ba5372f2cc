/**
 * Customer-group commands as the API runs them: decide, reserve the name (unique among live
 * groups), append, release a name no longer used, then answer from the read model.
 */
import {
  type CustomerGroupEvent,
  type CustomerGroupState,
  customerGroupStreamName,
  decideCreateCustomerGroup,
  decideDeleteCustomerGroup,
  decideUpdateCustomerGroup,
  evolveCustomerGroup,
  initialCustomerGroupState,
} from "../customerGroups/group.js";
import {
  type CustomerGroupNameEvent,
  type CustomerGroupNameState,
  CustomerGroupNameTaken,
  decideGroupNameRelease,
  decideGroupNameReservation,
  evolveCustomerGroupName,
  groupNameReservationStreamName,
  initialCustomerGroupNameState,
} from "../customerGroups/nameReservation.js";
import type { Metadata } from "../metadata.js";
import { ConcurrentWriteConflict } from "../errors.js";
import type { EventStore } from "../eventstore/port.js";
import type { Logger } from "../logger.js";
import { type CustomerGroupDocument, projectCustomerGroupEvent } from "../readmodel/customerGroupDocument.js";
import type { CustomerReadModel } from "../readmodel/port.js";
import type { CommandContext } from "./context.js";
import type { ReadYourWrites } from "./readYourWrites.js";
import { type WriteHook, decideAndAppend } from "./decideAndAppend.js";
import { decisionWithDocument } from "./decisionWithDocument.js";
import { loadStream } from "./loadStream.js";
import { appendToNewStream, fenceAbandonedCreate, runRelease, runReservation } from "./runReservation.js";
import type { StreamStateCache } from "./streamStateCache.js";

export interface CustomerGroupCommandDependencies {
  store: EventStore;
  readModel: CustomerReadModel;
  clock: () => Date;
  newGroupId: () => string;
  logger: Logger;
  readYourWrites: ReadYourWrites;
  /** How long a name reservation without its group is trusted to be an in-flight create. */
  reservationGraceMs: number;
  /** Decided states by revision, so a write does not replay the whole stream. */
  states?: StreamStateCache;
}

export interface GroupWriteResult {
  group: CustomerGroupDocument;
  /** As WriteResult's source (customerCommands.ts). */
  source: "read-model" | "events";
}

export interface GroupInput {
  name?: string;
  metadata?: Metadata | null;
}

const GROUP = decisionWithDocument("customer-group", { evolve: evolveCustomerGroup, initialState: initialCustomerGroupState }, projectCustomerGroupEvent);

type ReleaseReason = "group_deleted" | "name_changed";

export class CustomerGroupCommands {
  constructor(private readonly deps: CustomerGroupCommandDependencies) {}

  async create(input: GroupInput & { name: string }, context: CommandContext): Promise<GroupWriteResult> {
    const { store, clock } = this.deps;
    const id = this.deps.newGroupId();
    const now = clock();
    const events = decideCreateCustomerGroup(
      { type: "CreateCustomerGroup", data: { id, name: input.name, metadata: input.metadata, created_by: context.actor.id, now } },
      initialCustomerGroupState(),
    );
    await this.#reserve(input.name, id, now, context);
    const revision = await appendToNewStream(store, customerGroupStreamName(id), events, context, now);
    const created = events.reduce((state, event, index) => GROUP.evolve(state, event, index), GROUP.initialState());
    this.deps.states?.set(GROUP.kind, customerGroupStreamName(id), { revision, state: created });
    return this.#readYourWrite(id, revision, created.document);
  }

  /** A new name is reserved before the change is written; the old one is released after. */
  async update(id: string, input: GroupInput, context: CommandContext): Promise<GroupWriteResult> {
    const written = await this.#write(
      id,
      context,
      (state, now) => decideUpdateCustomerGroup({ type: "UpdateCustomerGroup", data: { ...input, id, now } }, state),
      {
        before: async (events, _state, now) => {
          const name = renamedTo(events);
          if (name !== undefined) await this.#reserve(name, id, now, context);
        },
        after: async (events, state, now) => {
          const previous = currentName(state);
          if (renamedTo(events) !== undefined && previous !== null) await this.#release(previous, id, "name_changed", now, context);
        },
      },
    );
    return this.#readYourWrite(id, written.revision, written.state.document);
  }

  /**
   * Soft-deletes; unknown or deleted ids are left alone (Medusa answers 200 either way).
   * Members keep the membership in their streams; a deleted group no longer shows on them
   * nor matches a filter.
   */
  async delete(id: string, context: CommandContext): Promise<void> {
    const written = await this.#write(
      id,
      context,
      (state, now) => decideDeleteCustomerGroup({ type: "DeleteCustomerGroup", data: { id, now } }, state),
      {
        after: async (_events, state, now) => {
          const name = currentName(state);
          if (name !== null) await this.#release(name, id, "group_deleted", now, context);
        },
      },
    );
    if (written.changed) await this.deps.readYourWrites.group(id, written.revision);
  }

  #write(
    id: string,
    context: CommandContext,
    decide: (state: CustomerGroupState, now: Date) => CustomerGroupEvent[],
    hooks: { before?: WriteHook<CustomerGroupState, CustomerGroupEvent>; after?: WriteHook<CustomerGroupState, CustomerGroupEvent> },
  ) {
    const { before, after } = hooks;
    return decideAndAppend(this.deps.store, customerGroupStreamName(id), GROUP, (state, now) => decide(state.decision, now), {
      clock: this.deps.clock,
      context,
      states: this.deps.states,
      ...(before && { before: (events, state, now) => before(events, state.decision, now) }),
      ...(after && { after: (events, state, now) => after(events, state.decision, now) }),
    });
  }

  #reserve(name: string, groupId: string, now: Date, context: CommandContext): Promise<void> {
    const { store } = this.deps;
    const request = { name, group_id: groupId, now, pending_grace_ms: this.deps.reservationGraceMs };
    return runReservation<CustomerGroupNameState, CustomerGroupNameEvent, CustomerGroupState>(
      store,
      {
        stream: groupNameReservationStreamName(name),
        evolve: evolveCustomerGroupName,
        initialState: initialCustomerGroupNameState,
        decide: (state, holder) => decideGroupNameReservation(request, state, holder),
        loadHolder: async (holderId) => (await loadStream(store, customerGroupStreamName(holderId), { evolve: evolveCustomerGroup, initialState: initialCustomerGroupState })).state,
        abandoned: { status: "abandoned" },
        fenceHolder: (holderId) =>
          fenceAbandonedCreate(
            store,
            customerGroupStreamName(holderId),
            { type: "CustomerGroupCreationAbandoned", data: { id: holderId, abandoned_at: now.toISOString() } },
            context,
            now,
          ),
        taken: () => new CustomerGroupNameTaken(name),
      },
      context,
      now,
    );
  }

  async #release(name: string, groupId: string, reason: ReleaseReason, now: Date, context: CommandContext): Promise<void> {
    try {
      await runRelease(
        this.deps.store,
        {
          stream: groupNameReservationStreamName(name),
          evolve: evolveCustomerGroupName,
          initialState: initialCustomerGroupNameState,
          decide: (state) => decideGroupNameRelease({ name, group_id: groupId, reason, now }, state),
        },
        context,
        now,
      );
    } catch (error) {
      // The change itself is written; the name is reclaimed by the next group that wants it.
      this.deps.logger.warn({ err: error, group_id: groupId, reason }, "could not release a group name reservation");
    }
  }

  async #readYourWrite(id: string, revision: number, folded: CustomerGroupDocument | null): Promise<GroupWriteResult> {
    const document = await this.deps.readYourWrites.group(id, revision);
    if (document) return { group: document, source: "read-model" };
    if (!folded) throw new ConcurrentWriteConflict(customerGroupStreamName(id));
    return { group: folded, source: "events" };
  }
}

function renamedTo(events: CustomerGroupEvent[]): string | undefined {
  const updated = events.find((event) => event.type === "CustomerGroupUpdated");
  return updated?.type === "CustomerGroupUpdated" ? updated.data.changes.name : undefined;
}

function currentName(state: CustomerGroupState): string | null {
  return state.status === "active" ? state.group.name : null;
}
