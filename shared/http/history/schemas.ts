/** Query of the history routes: a page (`offset`, `limit`), an order, and revision bounds (the cursor). */
import { Type } from "typebox";
import { orderSchema } from "../listFilters.js";
import { Limit, Offset } from "../pagination.js";

const Revision = Type.Integer({ "x-coerce": true, minimum: 0 });

/** `revision[$lt]=37` asks for the entries before revision 37: the next page after one that ended at 37. */
export const RevisionBounds = Type.Object(
  { $gt: Type.Optional(Revision), $gte: Type.Optional(Revision), $lt: Type.Optional(Revision), $lte: Type.Optional(Revision) },
  { additionalProperties: false },
);

export const HISTORY_ORDER_FIELDS = ["revision"] as const;

export const HistoryParams = Type.Object(
  {
    fields: Type.Optional(Type.String()),
    offset: Type.Optional(Offset),
    limit: Type.Optional(Limit),
    order: Type.Optional(Type.String({ ...orderSchema(HISTORY_ORDER_FIELDS), description: "`-revision` (newest first, the default) or `revision`" })),
    revision: Type.Optional(RevisionBounds),
  },
  { additionalProperties: false },
);
