/**
 * `offset` and `limit` of every list route. Medusa sets no largest page; here a page holds at
 * most MAX_PAGE_SIZE items: enough for an admin screen or an export in pages, while one
 * request cannot ask for every customer at once (an answer of tens of megabytes).
 */
import { Type } from "typebox";

export const MAX_PAGE_SIZE = 1000;

export const Offset = Type.Number({ "x-coerce": true, minimum: 0 });
export const Limit = Type.Number({ "x-coerce": true, minimum: 0, maximum: MAX_PAGE_SIZE });
