/**
 * A read model that serves one generation of documents at a time and can be switched to
 * another one without its readers noticing: every call goes to the generation serving at
 * that moment, and a wait for a revision that is running when the switch comes is carried
 * over to the new generation for the time it has left. Used while a new generation is built
 * beside the serving one (shared/readmodel/rebuild.ts).
 */
import { Signal } from "../signal.js";
import type { GlobalPosition } from "../eventstore/port.js";
import type { CustomerAddress } from "../customers/customer.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import type { AddressListQuery, Change, CustomerReadModel, DocumentCollection, ListQuery, Page, ProjectedBatch } from "./port.js";
import type { Query, Value } from "./query.js";

export class SwitchableReadModel<Generation extends CustomerReadModel = CustomerReadModel> implements CustomerReadModel {
  #serving: Generation;
  readonly #switched = new Signal();
  readonly customers: DocumentCollection<CustomerDocument>;
  readonly groups: DocumentCollection<CustomerGroupDocument>;

  constructor(serving: Generation) {
    this.#serving = serving;
    this.customers = new SwitchingCollection(() => this.#serving.customers, this.#switched);
    this.groups = new SwitchingCollection(() => this.#serving.groups, this.#switched);
  }

  get serving(): Generation {
    return this.#serving;
  }

  /** Serves `next` from now on, and gives back the generation it replaces (for its owner to close once done with it). */
  switchTo(next: Generation): Generation {
    const previous = this.#serving;
    this.#serving = next;
    this.#switched.notify();
    return previous;
  }

  listAddresses(query: AddressListQuery): Promise<Page<CustomerAddress>> {
    return this.#serving.listAddresses(query);
  }

  saveBatch(batch: ProjectedBatch): Promise<void> {
    return this.#serving.saveBatch(batch);
  }

  projectedPosition(): Promise<GlobalPosition | undefined> {
    return this.#serving.projectedPosition();
  }

  close(): Promise<void> {
    return this.#serving.close();
  }
}

const SWITCHED: unique symbol = Symbol("switched");

class SwitchingCollection<T extends { id: string; revision: number }> implements DocumentCollection<T> {
  constructor(
    private readonly serving: () => DocumentCollection<T>,
    private readonly switched: Signal,
  ) {}

  get(id: string): Promise<T | null> {
    return this.serving().get(id);
  }

  getMany(ids: string[]): Promise<Map<string, T>> {
    return this.serving().getMany(ids);
  }

  list(query: ListQuery): Promise<Page<T>> {
    return this.serving().list(query);
  }

  distinct(field: string, filter: Query): Promise<Value[]> {
    return this.serving().distinct(field, filter);
  }

  save(changes: Change<T>[]): Promise<void> {
    return this.serving().save(changes);
  }

  ids(): Promise<string[]> {
    return this.serving().ids();
  }

  /** The wait moves with a switch: the generation that was serving may no longer be kept up to date. */
  async waitFor(id: string, revision: number, timeoutMs: number): Promise<T | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const switched = this.switched.next().then((): typeof SWITCHED => SWITCHED);
      const found = await Promise.race([this.serving().waitFor(id, revision, Math.max(0, deadline - Date.now())), switched]);
      if (found !== SWITCHED) return found;
    }
  }
}
