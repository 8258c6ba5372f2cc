/**
 * Which fields of which events are personal data, and their sealed form: the personal fields
 * of an event are taken out of its data and sealed together, under the data key of the
 * customer they belong to, into `sealed: { fields, box }`; `fields` names them (paths into
 * the data) and `box` holds their values. Opening puts them back; once the customer's key is
 * destroyed (erasure) they can only come back as null, with `erased: true` on the data. What
 * is left in the clear (ids, flags, timestamps, which fields changed) is not personal.
 * Pure: the keys come in.
 */
import { isSealed, seal, unseal } from "../crypto/sealing.js";

const CUSTOMER_FIELDS = ["email", "company_name", "first_name", "last_name", "phone", "metadata"];
const ADDRESS_FIELDS = ["address_name", "company", "first_name", "last_name", "address_1", "address_2", "city", "country_code", "province", "postal_code", "phone", "metadata"];

interface PersonalFields {
  /** Whose data it is: the customer id, from the event's data. */
  subject: (data: Record<string, unknown>) => string;
  /** Paths into the data (`changes.email`) that hold personal values when present. */
  paths: readonly string[];
}

const prefixed = (prefix: string, fields: readonly string[]) => fields.map((field) => `${prefix}.${field}`);
const byId = (data: Record<string, unknown>) => String(data.id);
const byCustomerId = (data: Record<string, unknown>) => String(data.customer_id);

/**
 * Answers kept for Idempotency-Key replays hold whatever the route answered (customers'
 * fields, a group's members): they are sealed under a key of the day they expire, which is
 * destroyed once that day is over (expiredAnswerKeySubjects), so no answer outlives its use.
 */
const ANSWER_KEY_PREFIX = "idempotency-answers:";
export const answerKeySubject = (expiresAt: string): string => `${ANSWER_KEY_PREFIX}${expiresAt.slice(0, 10)}`;

/** The answer keys of days whose answers have all expired, back `days` days: to destroy. */
export function expiredAnswerKeySubjects(now: Date, days = 7): string[] {
  const DAY = 86_400_000;
  // An hour's margin past midnight: a process whose clock is behind may still replay one.
  const lastExpired = Math.floor((now.getTime() - 3_600_000) / DAY) - 1;
  return Array.from({ length: days }, (_, back) => answerKeySubject(new Date((lastExpired - back) * DAY).toISOString()));
}

/** The events that carry personal data, by type. Group events carry none (a group's name is not about a person). */
export const PERSONAL_FIELDS: Readonly<Record<string, PersonalFields>> = {
  CustomerCreated: { subject: byId, paths: CUSTOMER_FIELDS },
  CustomerUpdated: { subject: byId, paths: prefixed("changes", CUSTOMER_FIELDS) },
  CustomerAddressAdded: { subject: byCustomerId, paths: prefixed("address", ADDRESS_FIELDS) },
  CustomerAddressUpdated: { subject: byCustomerId, paths: prefixed("changes", ADDRESS_FIELDS) },
  CustomerEmailReserved: { subject: byCustomerId, paths: ["email"] },
  CustomerEmailReleased: { subject: byCustomerId, paths: ["email"] },
  IdempotentRequestAnswered: { subject: (data) => answerKeySubject(String(data.expires_at)), paths: ["answer.body"] },
};

export interface Sealed {
  fields: string[];
  box: string;
}

type Data = Record<string, unknown>;

const get = (data: Data, path: string): { found: boolean; value: unknown } => {
  const [head, ...rest] = path.split(".");
  if (!Object.hasOwn(data, head!)) return { found: false, value: undefined };
  const value = data[head!];
  if (rest.length === 0) return { found: true, value };
  return typeof value === "object" && value !== null ? get(value as Data, rest.join(".")) : { found: false, value: undefined };
};

/** A copy of `data` with the value at `path` set (or, with `remove`, taken out); objects on the way are copied, not changed. */
function withPath(data: Data, path: string, value: unknown, remove = false): Data {
  const [head, ...rest] = path.split(".");
  const copy: Data = { ...data };
  if (rest.length === 0) {
    if (remove) delete copy[head!];
    else copy[head!] = value;
    return copy;
  }
  copy[head!] = withPath((copy[head!] as Data | undefined) ?? {}, rest.join("."), value, remove);
  return copy;
}

/** Whose personal data an event holds (the data key to use); undefined for events without any. */
export function personalDataSubject(type: string, data: unknown): string | undefined {
  const spec = PERSONAL_FIELDS[type];
  return spec ? spec.subject(data as Data) : undefined;
}

/** The event's data with its personal fields sealed under `key`; as it was when it has none. */
export function sealPersonalData(type: string, data: unknown, key: Buffer): unknown {
  const spec = PERSONAL_FIELDS[type];
  if (!spec || (data as Data).sealed !== undefined) return data;
  const values: Record<string, unknown> = {};
  let clear = data as Data;
  for (const path of spec.paths) {
    const { found, value } = get(clear, path);
    if (!found) continue;
    values[path] = value;
    clear = withPath(clear, path, undefined, true);
  }
  const fields = Object.keys(values);
  if (fields.length === 0) return data;
  const sealed: Sealed = { fields, box: seal(Buffer.from(JSON.stringify(values), "utf8"), key, spec.subject(data as Data)) };
  return { ...clear, sealed };
}

/** Whether the data holds sealed personal fields. */
export function isSealedData(data: unknown): data is Data & { sealed: Sealed } {
  const sealed = (data as Data | null)?.sealed as Sealed | undefined;
  return typeof sealed === "object" && sealed !== null && Array.isArray(sealed.fields) && isSealed(sealed.box);
}

/**
 * The event's data with its sealed fields opened with `key`, or, when the key is gone
 * (`undefined`: the customer was erased), each of them null and `erased: true`. Data in the
 * clear (written before sealing, or without personal fields) is returned as it is.
 */
export function openPersonalData(type: string, data: unknown, key: Buffer | undefined): unknown {
  if (!isSealedData(data)) return data;
  const { sealed, ...clear } = data;
  const subject = PERSONAL_FIELDS[type]?.subject(data) ?? "";
  const values: Record<string, unknown> = key ? (JSON.parse(unseal(sealed.box, key, subject).toString("utf8")) as Record<string, unknown>) : {};
  let opened: Data = clear;
  for (const path of sealed.fields) opened = withPath(opened, path, key ? values[path] : null);
  return key ? opened : { ...opened, erased: true };
}

/**
 * The event's data as a reader without the keys gets it: each sealed field null and
 * `personal_data: "withheld"` (not erased: the fields are there, for readers with the keys).
 */
export function withheldPersonalData(data: unknown): unknown {
  if (!isSealedData(data)) return data;
  const { sealed, ...clear } = data;
  let withheld: Data = clear;
  for (const path of sealed.fields) withheld = withPath(withheld, path, null);
  return { ...withheld, personal_data: "withheld" };
}
