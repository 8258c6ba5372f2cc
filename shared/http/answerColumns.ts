/**
 * What the API shows of each entity: every column, in the order Medusa's answers list them,
 * the fields an answer has when `fields` does not say, and the relations `*relation` expands.
 * The presenters shape answers by these lists; the list queries sort and filter by them.
 */

/** Medusa's defaultAdminCustomerFields (2.21.2), in its order. */
export const DEFAULT_CUSTOMER_FIELDS = [
  "id",
  "company_name",
  "first_name",
  "last_name",
  "email",
  "phone",
  "metadata",
  "has_account",
  "created_by",
  "created_at",
  "updated_at",
  "deleted_at",
] as const;

/** Every column of a customer, as a group's `*customers` shows it (the table's order). */
export const CUSTOMER_COLUMNS = [
  "id",
  "company_name",
  "first_name",
  "last_name",
  "email",
  "phone",
  "has_account",
  "metadata",
  "created_at",
  "updated_at",
  "deleted_at",
  "created_by",
] as const;

/** Every address column, in the order `*addresses` shows them. */
export const ADDRESS_COLUMNS = [
  "id",
  "address_name",
  "is_default_shipping",
  "is_default_billing",
  "company",
  "first_name",
  "last_name",
  "address_1",
  "address_2",
  "city",
  "country_code",
  "province",
  "postal_code",
  "phone",
  "metadata",
  "customer_id",
  "created_at",
  "updated_at",
  "deleted_at",
] as const;

/** Medusa's defaultAdminCustomerAddressFields (2.21.2), in its order. */
export const DEFAULT_ADDRESS_FIELDS = [
  "id",
  "address_name",
  "company",
  "customer_id",
  "first_name",
  "last_name",
  "address_1",
  "address_2",
  "city",
  "province",
  "postal_code",
  "country_code",
  "phone",
  "metadata",
  "created_at",
  "updated_at",
] as const;

/** Medusa's defaultAdminCustomerGroupFields (2.21.2), in its order. */
export const DEFAULT_CUSTOMER_GROUP_FIELDS = ["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata"] as const;

/** Every column of a group, as `*groups` on a customer shows it (the table's order). */
export const CUSTOMER_GROUP_COLUMNS = ["id", "name", "metadata", "created_by", "created_at", "updated_at", "deleted_at"] as const;

/** Every column of a relation as `*relation` shows it, in Medusa's key order. */
export const CUSTOMER_RELATIONS = {
  addresses: ADDRESS_COLUMNS,
  groups: CUSTOMER_GROUP_COLUMNS,
} as const;
