/** Schemas of the address routes: Medusa's AdminCreateCustomerAddress and address list params. */
import { Type } from "typebox";
import { ADDRESS_COLUMNS } from "../answerColumns.js";
import { orderSchema } from "../listFilters.js";
import { Limit, Offset } from "../pagination.js";

const nullishText = Type.Optional(Type.Union([Type.String(), Type.Null()]));
const nullishRecord = Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]));
const textOrList = Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())]));

/** Create and update take the same body in Medusa. */
export const AdminCustomerAddressBody = Type.Object(
  {
    address_name: nullishText,
    is_default_shipping: Type.Optional(Type.Boolean()),
    is_default_billing: Type.Optional(Type.Boolean()),
    company: nullishText,
    first_name: nullishText,
    last_name: nullishText,
    address_1: nullishText,
    address_2: nullishText,
    city: nullishText,
    country_code: nullishText,
    province: nullishText,
    postal_code: nullishText,
    phone: nullishText,
    metadata: nullishRecord,
    additional_data: nullishRecord,
  },
  { additionalProperties: false },
);

export const AdminCustomerAddressesParams = Type.Object(
  {
    fields: Type.Optional(Type.String()),
    offset: Type.Optional(Offset),
    limit: Type.Optional(Limit),
    order: Type.Optional(Type.String(orderSchema(ADDRESS_COLUMNS))),
    with_deleted: Type.Optional(Type.Union([Type.Boolean(), Type.String()], { "x-boolean-string": true })),
    q: Type.Optional(Type.String()),
    company: textOrList,
    city: textOrList,
    country_code: textOrList,
    province: textOrList,
    postal_code: textOrList,
  },
  { additionalProperties: false },
);

export const AddressParams = Type.Object({ id: Type.String(), address_id: Type.String() });

/** Medusa's searchable address columns (not phone or country_code). */
export const ADDRESS_SEARCH_FIELDS = ["address_name", "company", "first_name", "last_name", "address_1", "address_2", "city", "province", "postal_code"] as const;
