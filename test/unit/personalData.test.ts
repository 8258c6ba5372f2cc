/**
 * The sealed form of personal data in events: sealing takes every personal field out of the
 * clear (none of its values can be found in the sealed event's JSON), opening with the key
 * gives the event back exactly, and without the key (erased) each field comes back null with
 * `erased: true` while the rest stays readable.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import t from "tap";
import { SealBroken } from "../../shared/crypto/sealing.js";
import { PERSONAL_FIELDS, answerKeySubject, expiredAnswerKeySubjects, isSealedData, openPersonalData, personalDataSubject, sealPersonalData } from "../../shared/events/personalData.js";

const fixture = (type: string) => (JSON.parse(readFileSync(`test/fixtures/events/${type}.v1.json`, "utf8")) as { data: Record<string, any> }).data;

const reservation = { email: "ada.lovelace@example.com", has_account: false, customer_id: "cus_01M8R3FHK624FR5QXBMAG8NV17", reserved_at: "2026-12-01T06:08:11.383Z" };
const examples: Record<string, Record<string, any>> = {
  CustomerCreated: fixture("CustomerCreated"),
  CustomerUpdated: fixture("CustomerUpdated"),
  CustomerAddressAdded: fixture("CustomerAddressAdded"),
  CustomerAddressUpdated: fixture("CustomerAddressUpdated"),
  CustomerEmailReserved: reservation,
  CustomerEmailReleased: { ...reservation, released_at: reservation.reserved_at, reason: "customer_deleted" },
  IdempotentRequestAnswered: {
    fingerprint: "f1",
    request_id: "req_1",
    expires_at: "2026-12-02T06:08:11.383Z",
    answer: { status: 200, body: JSON.stringify({ customer: { id: reservation.customer_id, email: reservation.email } }), headers: {} },
  },
};

/** Every personal string value of an event, to look for in its sealed form. */
function personalValues(type: string, data: Record<string, any>): string[] {
  const found: string[] = [];
  for (const path of PERSONAL_FIELDS[type]!.paths) {
    const value = path.split(".").reduce<any>((at, key) => (at === undefined || at === null ? undefined : at[key]), data);
    if (typeof value === "string" && value.length > 2) found.push(value);
    if (value && typeof value === "object") found.push(...Object.values(value).filter((v): v is string => typeof v === "string"), ...Object.keys(value));
  }
  return found;
}

t.test("every event type with personal data has an example here", async (t) => {
  t.same(Object.keys(examples).sort(), Object.keys(PERSONAL_FIELDS).sort());
});

for (const [type, data] of Object.entries(examples)) {
  t.test(`${type}: sealed, nothing personal stays in the clear; opened, it is as it was; erased, null`, async (t) => {
    const key = randomBytes(32);
    const subject = personalDataSubject(type, data)!;
    t.match(subject, type === "IdempotentRequestAnswered" ? /^idempotency-answers:2026-12-02$/ : /^cus_/, "its subject is the customer (an answer's: the day it expires)");
    const sealed = sealPersonalData(type, data, key) as Record<string, any>;
    t.ok(isSealedData(sealed));
    const text = JSON.stringify(sealed);
    const values = personalValues(type, data);
    t.ok(values.length > 0, `the example has personal values (${values.length})`);
    for (const value of values) t.notOk(text.includes(value), `"${value}" is not in the sealed event`);
    t.same(sealPersonalData(type, sealed, key), sealed, "sealing a sealed event changes nothing");

    t.same(openPersonalData(type, sealed, key), data, "opened with the key: the event as written");
    t.throws(() => openPersonalData(type, sealed, randomBytes(32)), SealBroken, "another customer's key does not open it");

    const erased = openPersonalData(type, sealed, undefined) as Record<string, any>;
    t.equal(erased.erased, true);
    for (const path of sealed.sealed.fields as string[]) {
      t.equal(path.split(".").reduce<any>((at, part) => at?.[part], erased), null, `${path} is null once erased`);
    }
    for (const [field, value] of Object.entries(data)) {
      if (!PERSONAL_FIELDS[type]!.paths.some((path) => path === field || path.startsWith(`${field}.`))) t.same(erased[field], value, `${field} stays readable`);
    }
  });
}

t.test("events without personal data, and data written in the clear, are left as they are", async (t) => {
  const key = randomBytes(32);
  const group = fixture("CustomerGroupCreated");
  t.equal(sealPersonalData("CustomerGroupCreated", group, key), group);
  t.equal(personalDataSubject("CustomerGroupCreated", group), undefined);
  const clear = fixture("CustomerCreated");
  t.equal(openPersonalData("CustomerCreated", clear, key), clear, "an event written before sealing reads as it is");
  t.equal(openPersonalData("CustomerCreated", clear, undefined), clear);
  const deleted = fixture("CustomerDeleted");
  t.equal(sealPersonalData("CustomerDeleted", deleted, key), deleted);
  const partial = { id: "cus_1", changes: { has_account: true }, updated_at: "2026-12-01T00:00:00.000Z" };
  t.equal(sealPersonalData("CustomerUpdated", partial, key), partial, "an update of nothing personal stays in the clear");
});

t.test("the keys of Idempotency-Key answers: a day's key is destroyed once all its answers expired, with an hour's margin", async (t) => {
  t.equal(answerKeySubject("2026-12-02T09:30:00.000Z"), "idempotency-answers:2026-12-02");
  t.same(expiredAnswerKeySubjects(new Date("2026-12-02T10:00:00.000Z"), 2), ["idempotency-answers:2026-12-01", "idempotency-answers:2026-11-30"]);
  t.same(expiredAnswerKeySubjects(new Date("2026-12-02T00:30:00.000Z"), 1), ["idempotency-answers:2026-11-30"], "just after midnight, yesterday's answers may still be replayed by a slower clock");
});
