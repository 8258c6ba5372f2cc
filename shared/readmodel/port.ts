/**
 * The read model port: documents shaped for the API's reads, each guarded by the stream
 * revision it reflects so that replayed or duplicated events change nothing.
 * Adapters: SQLite (embedded mode), MongoDB (cluster) and in memory (tests); all pass
 * test/contract/readModel.contract.ts.
 */
import type { CustomerAddress } from "../customers/customer.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import type { Query, Sort, Value } from "./query.js";
import { Unavailable } from "../errors.js";
import type { GlobalPosition } from "../eventstore/port.js";

/** A page of live (not deleted) documents matching a filter, in an order. */
export interface ListQuery {
  /** Which documents, by their fields (shared/readmodel/query.ts); `id` is the id. */
  filter: Query;
  sort: Sort;
  skip: number;
  limit: number;
}

export interface Page<Document> {
  documents: Document[];
  /** How many match in all, whatever `skip` and `limit`. */
  count: number;
}

export interface Change<Document> {
  document: Document;
  /** The revision the stored document must be at for this change to apply (null: none stored). */
  previousRevision: number | null;
}

/** A page of one live customer's addresses (none when there is no such customer). */
export interface AddressListQuery extends ListQuery {
  customerId: string;
}

/**
 * One kind of read-model document (customers, groups): each owned by one stream and guarded
 * by the stream revision it reflects, so replayed or duplicated events change nothing.
 */
export interface DocumentCollection<Document extends { id: string; revision: number }> {
  get(id: string): Promise<Document | null>;
  /** The stored documents among `ids`, deleted ones included (missing ids are absent from the map). */
  getMany(ids: string[]): Promise<Map<string, Document>>;
  list(query: ListQuery): Promise<Page<Document>>;
  /** The distinct values of `field` (an array field: its elements) among the live documents matching `filter`. */
  distinct(field: string, filter: Query): Promise<Value[]>;
  /**
   * Many changes to different documents at once (a projector batch), each stored if the
   * stored document is at its `previousRevision`. Afterwards every document is at or past
   * its change's revision, or this throws ReadModelRevisionGap (and the batch is retried).
   */
  save(changes: Change<Document>[]): Promise<void>;
  /**
   * Resolves with the document once it reflects `revision` or later, or with null when
   * `timeoutMs` passes first. Event-driven, not polling.
   */
  waitFor(id: string, revision: number, timeoutMs: number): Promise<Document | null>;
  /** The id of every stored document, deleted ones included (the operators' check, `npm run check`). */
  ids(): Promise<string[]>;
}

/**
 * Customers and their groups. Each document is owned by one stream: a customer's
 * `group_ids` come from its own membership events, a group's fields from the group's
 * events. Reads that show groups on customers (or customers of a group) join the two by
 * id, so a renamed or deleted group shows on every member at once, whatever order the
 * projector applied the streams in.
 */
export interface CustomerReadModel {
  readonly customers: DocumentCollection<CustomerDocument>;
  readonly groups: DocumentCollection<CustomerGroupDocument>;
  listAddresses(query: AddressListQuery): Promise<Page<CustomerAddress>>;
  /**
   * A projector's batch: the changes to both collections and, where the read model keeps it,
   * the position in the event store's log the batch reaches, all at once (the durable
   * embedded read model commits them in one transaction, so a restart resumes from there).
   */
  saveBatch(batch: ProjectedBatch): Promise<void>;
  /** The log position the last batch reached, where the read model keeps it; undefined otherwise. */
  projectedPosition(): Promise<GlobalPosition | undefined>;
  close(): Promise<void>;
}

export interface ProjectedBatch {
  customers: Change<CustomerDocument>[];
  groups: Change<CustomerGroupDocument>[];
  position?: GlobalPosition;
}

export class ReadModelRevisionGap extends Error {
  override readonly name = "ReadModelRevisionGap";
  constructor(
    readonly id: string,
    readonly stored: number | null,
    readonly incoming: number,
  ) {
    super(`Document ${id} is at revision ${String(stored)}; revision ${incoming} cannot be applied yet`);
  }
}

/** The read model cannot be reached or did not answer in time; the caller may retry later. */
export class ReadModelUnavailable extends Unavailable {
  override readonly name = "ReadModelUnavailable";
  readonly publicMessage = "The customer data cannot be read right now. Retry the request later.";
  constructor(cause: unknown) {
    super(`The read model is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
