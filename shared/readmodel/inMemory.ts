/**
 * Embedded read model: documents in a Map. Documents handed out are shared, never
 * mutated: every change stores a new object. It is rebuilt from the event store at start
 * (shared/runtime/embedded.ts), so it needs no file of its own.
 */
import type { CustomerDocument } from "./customerDocument.js";
import { type CustomerReadModel, type SaveOutcome, ReadModelRevisionGap } from "./port.js";

interface Waiter {
  revision: number;
  resolve: (document: CustomerDocument | null) => void;
  timer: NodeJS.Timeout;
}

export class InMemoryReadModel implements CustomerReadModel {
  readonly #customers = new Map<string, CustomerDocument>();
  readonly #waiters = new Map<string, Set<Waiter>>();

  async getCustomer(id: string): Promise<CustomerDocument | null> {
    return this.#customers.get(id) ?? null;
  }

  async saveCustomer(document: CustomerDocument, previousRevision: number | null): Promise<SaveOutcome> {
    const stored = this.#customers.get(document.id);
    if (stored && stored.revision >= document.revision) return "already-applied";
    if ((stored?.revision ?? null) !== previousRevision) {
      throw new ReadModelRevisionGap(document.id, stored?.revision ?? null, document.revision);
    }
    this.#customers.set(document.id, document);
    this.#wake(document);
    return "saved";
  }

  waitForCustomer(id: string, revision: number, timeoutMs: number): Promise<CustomerDocument | null> {
    const stored = this.#customers.get(id);
    if (stored && stored.revision >= revision) return Promise.resolve(stored);
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set<Waiter>();
      this.#waiters.set(id, waiters);
      const waiter: Waiter = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.#forget(id, waiter);
          resolve(null);
        }, timeoutMs),
      };
      waiters.add(waiter);
    });
  }

  #wake(document: CustomerDocument): void {
    const waiters = this.#waiters.get(document.id);
    if (!waiters) return;
    for (const waiter of waiters) {
      if (document.revision >= waiter.revision) {
        clearTimeout(waiter.timer);
        this.#forget(document.id, waiter);
        waiter.resolve(document);
      }
    }
  }

  #forget(id: string, waiter: Waiter): void {
    const waiters = this.#waiters.get(id);
    waiters?.delete(waiter);
    if (waiters?.size === 0) this.#waiters.delete(id);
  }

  async close(): Promise<void> {
    for (const [id, waiters] of this.#waiters) {
      for (const waiter of waiters) {
        clearTimeout(waiter.timer);
        waiter.resolve(null);
      }
      this.#waiters.delete(id);
    }
  }
}
