/**
 * The streams whose events go out on the events topic: customers and customer groups.
 * Reservation streams (emails, group names) are the write side's own bookkeeping and stay
 * in the event store.
 */
import { CUSTOMER_GROUP_STREAM_PREFIX } from "../customerGroups/group.js";
import { CUSTOMER_STREAM_PREFIX } from "../customers/customer.js";

export const PUBLISHED_STREAM_PREFIXES = [CUSTOMER_STREAM_PREFIX, CUSTOMER_GROUP_STREAM_PREFIX];
