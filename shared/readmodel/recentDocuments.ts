/**
 * A bounded, short-lived copy of read-model documents in a command-service process, filled
 * by the projector's notices (which carry the document as stored) and by reads. It spares
 * MongoDB the reads of documents just written or often asked for. A document only ever
 * moves forward in revision here, and an entry is dropped after `ttlMs`, which bounds how
 * long a missed notice can leave a copy behind the read model.
 */
interface Entry<T> {
  document: T;
  storedAt: number;
}

export class RecentDocuments<T extends { id: string; revision: number }> {
  readonly #entries = new Map<string, Entry<T>>();

  constructor(
    private readonly maxDocuments: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.maxDocuments > 0 && this.ttlMs > 0;
  }

  get(id: string): T | undefined {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (this.now() - entry.storedAt > this.ttlMs) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry.document;
  }

  remember(document: T): void {
    if (!this.enabled) return;
    const existing = this.#entries.get(document.id);
    if (existing && existing.document.revision >= document.revision) return;
    // Re-inserting moves the entry to the end: the Map's order is least recently stored first.
    this.#entries.delete(document.id);
    this.#entries.set(document.id, { document, storedAt: this.now() });
    if (this.#entries.size > this.maxDocuments) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }

  /** A newer revision of a document kept here replaces it; other documents are not added. */
  update(document: T): void {
    const existing = this.#entries.get(document.id);
    if (existing && existing.document.revision < document.revision) this.#entries.set(document.id, { document, storedAt: this.now() });
  }

  forget(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
