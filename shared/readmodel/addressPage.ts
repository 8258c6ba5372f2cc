/**
 * A page of a customer's addresses. They live inside the customer's document (a customer
 * holds at most a few megabytes, limits.ts), so every adapter reads the document and pages
 * its addresses in memory with the same query evaluation.
 */
import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerAddress } from "../customers/customer.js";
import type { AddressListQuery, Page } from "./port.js";
import { compareDocuments, matchesQuery } from "./query.js";

export function addressPage(customer: CustomerDocument | null, { filter, sort, skip, limit }: AddressListQuery): Page<CustomerAddress> {
  const addresses = customer && customer.deleted_at === null ? customer.addresses : [];
  const matching = addresses.filter((address) => matchesQuery(address, filter)).sort(compareDocuments(sort));
  return { documents: matching.slice(skip, skip + limit), count: matching.length };
}
