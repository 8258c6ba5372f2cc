/**
 * Customer-group commands as the API runs them: decide, reserve the name (unique among live
 * groups), append, release a name no longer used. Each answers with what it wrote; the HTTP
 * layer shows it once the read model does (shared/readmodel/readYourWrites.ts).
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
import type { EventStore, StreamAppend } from "../eventstore/port.js";
import type { StreamStateCache } from "../eventstore/streamStateCache.js";
import type { Logger } from "../logger.js";
import type { Metadata } from "../metadata.js";
import { type Handled, type HandleOptions, handleCommand } from "./commandHandler.js";
import type { CommandContext } from "./context.js";
import { customerGroupNames } from "./reservations.js";

export interface CustomerGroupCommandDependencies {
  store: EventStore;
  clock: () => Date;
  newGroupId: () => string;
  logger: Logger;
  /** How long a name reservation without its group is trusted to be an in-flight create. */
  reservationGraceMs: number;
  /** Decided states by revision, so a write does not replay the whole stream. */
  states?: StreamStateCache;
}

/** What a command wrote to one group's stream. */
export interface GroupWritten {
  id: string;
  /** The stream's revision after the write (as found, when nothing changed). */
  revision: number;
  events: CustomerGroupEvent[];
}

export interface GroupInput {
  name?: string;
  metadata?: Metadata | null;
}

const GROUP = { kind: "customer-group", evolve: evolveCustomerGroup, initialState: initialCustomerGroupState };

type ReleaseReason = "group_deleted" | "name_changed";

const written = (id: string, handled: Handled<CustomerGroupState, CustomerGroupEvent>): GroupWritten => ({ id, revision: handled.revision, events: handled.events });

export class CustomerGroupCommands {
  constructor(private readonly deps: CustomerGroupCommandDependencies) {}

  async create(input: GroupInput & { name: string }, context: CommandContext): Promise<GroupWritten> {
    const id = this.deps.newGroupId();
    const handled = await this.#write(
      id,
      context,
      (state, now) => decideCreateCustomerGroup({ type: "CreateCustomerGroup", data: { id, name: input.name, metadata: input.metadata, created_by: context.actor.id, now } }, state),
      { newStream: true, alongside: (_events, _state, now, attempt) => this.#claim(input.name, id, now, context, attempt) },
    );
    return written(id, handled);
  }

  /** A new name is reserved with the change, and the old one released with it. */
  async update(id: string, input: GroupInput, context: CommandContext): Promise<GroupWritten> {
    const handled = await this.#write(
      id,
      context,
      (state, now) => decideUpdateCustomerGroup({ type: "UpdateCustomerGroup", data: { ...input, id, now } }, state),
      {
        alongside: async (events, _state, now, attempt) => {
          const name = renamedTo(events);
          return name === undefined ? [] : this.#claim(name, id, now, context, attempt);
        },
        alongsideAfter: async (events, state, now) => {
          const previous = currentName(state);
          const name = renamedTo(events);
          return name !== undefined && previous !== null && previous !== name ? this.#release(previous, id, "name_changed", now, context) : [];
        },
        followUpFailed: (error) => this.#releaseFailed(error, id, "name_changed"),
      },
    );
    return written(id, handled);
  }

  /**
   * Soft-deletes; unknown or deleted ids are left alone (Medusa answers 200 either way).
   * Members keep the membership in their streams; a deleted group no longer shows on them
   * nor matches a filter.
   */
  async delete(id: string, context: CommandContext): Promise<GroupWritten> {
    const handled = await this.#write(id, context, (state, now) => decideDeleteCustomerGroup({ type: "DeleteCustomerGroup", data: { id, now } }, state), {
      alongsideAfter: async (_events, state, now) => {
        const name = currentName(state);
        return name === null ? [] : this.#release(name, id, "group_deleted", now, context);
      },
      followUpFailed: (error) => this.#releaseFailed(error, id, "group_deleted"),
    });
    return written(id, handled);
  }

  #write(
    id: string,
    context: CommandContext,
    decide: (state: CustomerGroupState, now: Date) => CustomerGroupEvent[],
    options: Pick<HandleOptions<CustomerGroupState, CustomerGroupEvent>, "alongside" | "alongsideAfter" | "followUpFailed" | "newStream">,
  ): Promise<Handled<CustomerGroupState, CustomerGroupEvent>> {
    return handleCommand(this.deps.store, customerGroupStreamName(id), GROUP, decide, { clock: this.deps.clock, context, states: this.deps.states, ...options });
  }

  /** The first attempt assumes the name new (reservation.ts). */
  #claim(name: string, groupId: string, now: Date, context: CommandContext, attempt: number): Promise<StreamAppend[]> {
    const request = { name, group_id: groupId, now, pending_grace_ms: this.deps.reservationGraceMs };
    return customerGroupNames.claim(this.deps.store, request, context, now, { assumeNew: attempt === 0 });
  }

  #release(name: string, groupId: string, reason: ReleaseReason, now: Date, context: CommandContext): Promise<StreamAppend[]> {
    return customerGroupNames.release(this.deps.store, { name, group_id: groupId, reason, now }, context, now);
  }

  #releaseFailed(error: unknown, groupId: string, reason: ReleaseReason): void {
    // The change itself is written; the name is reclaimed by the next group that wants it.
    this.deps.logger.warn({ err: error, group_id: groupId, reason }, "could not release a group name reservation");
  }
}

function renamedTo(events: CustomerGroupEvent[]): string | undefined {
  const updated = events.find((event) => event.type === "CustomerGroupUpdated");
  return updated?.type === "CustomerGroupUpdated" ? updated.data.changes.name : undefined;
}

function currentName(state: CustomerGroupState): string | null {
  return state.status === "active" ? state.group.name : null;
}
