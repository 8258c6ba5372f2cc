/**
 * A read model that serves one generation of documents at a time and can be switched to
 * another one without its readers noticing: every call goes to the generation serving at
 * that moment, and a wait for a revision that is running when the switch comes is carried
 * over to the new generation for the time it has left. The calls still running on a
 * generation are counted, so that its owner closes it only once they have finished
 * (`idle`). Used while a new generation is built beside the serving one
 * (shared/runtime/embeddedReadSide.ts, shared/runtime/clusterReadSide.ts).
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
  readonly #running = new RunningCalls<Generation>();
  readonly customers: DocumentCollection<CustomerDocument>;
  readonly groups: DocumentCollection<CustomerGroupDocument>;

  constructor(serving: Generation) {
    this.#serving = serving;
    this.customers = new SwitchingCollection((call) => this.#running.run(this.#serving, (generation) => call(generation.customers)), () => this.#serving.customers, this.#switched);
    this.groups = new SwitchingCollection((call) => this.#running.run(this.#serving, (generation) => call(generation.groups)), () => this.#serving.groups, this.#switched);
  }

  /** Resolves once no call made on `generation` is still running (waits for a revision aside: they move with a switch). */
  idle(generation: Generation): Promise<void> {
    return this.#running.idle(generation);
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
    return this.#running.run(this.#serving, (generation) => generation.listAddresses(query));
  }

  saveBatch(batch: ProjectedBatch): Promise<void> {
    return this.#running.run(this.#serving, (generation) => generation.saveBatch(batch));
  }

  projectedPosition(): Promise<GlobalPosition | undefined> {
    return this.#running.run(this.#serving, (generation) => generation.projectedPosition());
  }

  close(): Promise<void> {
    return this.#serving.close();
  }
}

const SWITCHED: unique symbol = Symbol("switched");

/** Calls running on each generation, and who waits for a generation to have none. */
class RunningCalls<Generation> {
  readonly #counts = new Map<Generation, number>();
  readonly #idle = new Map<Generation, Array<() => void>>();

  async run<R>(generation: Generation, call: (generation: Generation) => Promise<R>): Promise<R> {
    this.#counts.set(generation, (this.#counts.get(generation) ?? 0) + 1);
    try {
      return await call(generation);
    } finally {
      const left = this.#counts.get(generation)! - 1;
      if (left > 0) this.#counts.set(generation, left);
      else {
        this.#counts.delete(generation);
        for (const wake of this.#idle.get(generation) ?? []) wake();
        this.#idle.delete(generation);
      }
    }
  }

  idle(generation: Generation): Promise<void> {
    if (!this.#counts.has(generation)) return Promise.resolve();
    return new Promise((resolve) => this.#idle.set(generation, [...(this.#idle.get(generation) ?? []), resolve]));
  }
}

type OnServing<T extends { id: string; revision: number }> = <R>(call: (collection: DocumentCollection<T>) => Promise<R>) => Promise<R>;

class SwitchingCollection<T extends { id: string; revision: number }> implements DocumentCollection<T> {
  constructor(
    private readonly onServing: OnServing<T>,
    private readonly serving: () => DocumentCollection<T>,
    private readonly switched: Signal,
  ) {}

  get(id: string): Promise<T | null> {
    return this.onServing((collection) => collection.get(id));
  }

  getMany(ids: string[]): Promise<Map<string, T>> {
    return this.onServing((collection) => collection.getMany(ids));
  }

  list(query: ListQuery): Promise<Page<T>> {
    return this.onServing((collection) => collection.list(query));
  }

  distinct(field: string, filter: Query): Promise<Value[]> {
    return this.onServing((collection) => collection.distinct(field, filter));
  }

  save(changes: Change<T>[]): Promise<void> {
    return this.onServing((collection) => collection.save(changes));
  }

  ids(): Promise<string[]> {
    return this.onServing((collection) => collection.ids());
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
