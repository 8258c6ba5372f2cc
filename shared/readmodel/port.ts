/**
 * The read model port: documents shaped for the API's reads, each guarded by the stream
 * revision it reflects so that replayed or duplicated events change nothing.
 * Adapters: in-memory (embedded mode) and MongoDB; both pass test/contract/readModel.contract.ts.
 */
import type { CustomerAddress } from "../customers/customer.js";
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";
import type { Query, Sort } from "./query.js";
import { Unavailable } from "../errors.js";

/** A page of live (not deleted) customers matching a filter, and how many match in all. */
export interface CustomerListQuery {
  /** Which documents, by their fields (shared/readmodel/query.ts); `id` is the id. */
  filter: Query;
  sort: Sort;
  skip: number;
  limit: number;
}

export interface CustomerPage {
  customers: CustomerDocument[];
  count: number;
}

export type SaveOutcome = "saved" | "already-applied";

export interface CustomerChange {
  document: CustomerDocument;
  /** The revision the stored document must be at for this change to apply (null: none stored). */
  previousRevision: number | null;
}

/** A page of one live customer's addresses (none when there is no such customer). */
export interface AddressListQuery {
  customerId: string;
  /** On the address's fields. */
  filter: Query;
  sort: Sort;
  skip: number;
  limit: number;
}

export interface AddressPage {
  addresses: CustomerAddress[];
  count: number;
}

export interface CustomerGroupListQuery {
  /** As CustomerListQuery's filter, on the group document's fields. */
  filter: Query;
  sort: Sort;
  skip: number;
  limit: number;
}

export interface CustomerGroupPage {
  groups: CustomerGroupDocument[];
  count: number;
}

export interface CustomerGroupChange {
  document: CustomerGroupDocument;
  previousRevision: number | null;
}

/**
 * Customers and their groups. Each document is owned by one stream: a customer's
 * `group_ids` come from its own membership events, a group's fields from the group's
 * events. Reads that show groups on customers (or customers of a group) join the two by
 * id, so a renamed or deleted group shows on every member at once, whatever order the
 * projector applied the streams in.
 */
export interface CustomerReadModel {
  getCustomer(id: string): Promise<CustomerDocument | null>;
  /** The stored documents among `ids` (missing ids are absent from the map). */
  getCustomers(ids: string[]): Promise<Map<string, CustomerDocument>>;
  listCustomers(query: CustomerListQuery): Promise<CustomerPage>;
  listAddresses(query: AddressListQuery): Promise<AddressPage>;
  /** The distinct group ids of the live customers matching `filter` (the groups list's `customers` filter). */
  groupIdsOfCustomers(filter: Query): Promise<string[]>;
  /**
   * Stores `document` if the stored one is at `previousRevision` (null: none stored yet).
   * "already-applied" when the stored revision is at or past `document.revision`; throws
   * ReadModelRevisionGap when an earlier revision is missing.
   */
  saveCustomer(document: CustomerDocument, previousRevision: number | null): Promise<SaveOutcome>;
  /**
   * Many changes to different documents at once (a projector batch), each guarded as in
   * saveCustomer. Afterwards every document is at or past its change's revision, or this
   * throws ReadModelRevisionGap (and the batch is retried).
   */
  saveCustomers(changes: CustomerChange[]): Promise<void>;
  /**
   * Resolves with the document once it reflects `revision` or later, or with null when
   * `timeoutMs` passes first. Event-driven, not polling.
   */
  waitForCustomer(id: string, revision: number, timeoutMs: number): Promise<CustomerDocument | null>;

  getGroup(id: string): Promise<CustomerGroupDocument | null>;
  getGroups(ids: string[]): Promise<Map<string, CustomerGroupDocument>>;
  /** A page of live groups; as listCustomers. */
  listGroups(query: CustomerGroupListQuery): Promise<CustomerGroupPage>;
  /** As saveCustomers, for group documents. */
  saveGroups(changes: CustomerGroupChange[]): Promise<void>;
  waitForGroup(id: string, revision: number, timeoutMs: number): Promise<CustomerGroupDocument | null>;
  /** The id of every stored document, deleted ones included (the operators' check, `npm run check`). */
  documentIds(): Promise<{ customers: string[]; groups: string[] }>;
  close(): Promise<void>;
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
