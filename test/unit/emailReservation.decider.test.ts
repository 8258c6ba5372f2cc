import { createHash, randomBytes } from "node:crypto";
import t from "tap";
import type { CustomerState } from "../../shared/customers/customer.js";
import {
  type EmailReservationEvent,
  type ReleaseEmail,
  type ReserveEmail,
  LEGACY_EMAIL_RESERVATION_STREAM_PREFIX,
  decideEmailRelease,
  decideEmailReservation,
  emailReservationStreamName,
  evolveEmailReservation,
  initialEmailReservationState,
  legacyEmailReservationStreamName,
} from "../../shared/customers/emailReservation.js";

const GRACE = 30_000;
const t0 = new Date("2026-01-01T00:00:00.000Z");
const later = (ms: number) => new Date(t0.getTime() + ms);

const reserve = (customer_id: string, now: Date): ReserveEmail => ({
  type: "ReserveEmail",
  data: { email: "a@b.com", has_account: false, customer_id, now, pending_grace_ms: GRACE },
});

const reserved = (customer_id: string, at: Date): EmailReservationEvent => ({
  type: "CustomerEmailReserved",
  data: { email: "a@b.com", has_account: false, customer_id, reserved_at: at.toISOString() },
});

const given = (events: EmailReservationEvent[]) => events.reduce(evolveEmailReservation, initialEmailReservationState());
const active: CustomerState = {
  status: "active",
  customer: {
    id: "cus_A",
    email: "a@b.com",
    company_name: null,
    first_name: null,
    last_name: null,
    phone: null,
    metadata: null,
    has_account: false,
    created_by: "user_1",
    created_at: t0.toISOString(),
  },
  addresses: [],
  group_ids: [],
};

t.test("a free email is reserved for the new customer", async (t) => {
  t.same(decideEmailReservation(reserve("cus_A", t0), given([])), { outcome: "reserve", events: [reserved("cus_A", t0)] });
});

t.test("reserving again for the same customer is a no-op", async (t) => {
  t.same(decideEmailReservation(reserve("cus_A", t0), given([reserved("cus_A", t0)])), { outcome: "reserve", events: [] });
});

t.test("a fresh reservation of another customer means the email is taken", async (t) => {
  t.same(decideEmailReservation(reserve("cus_B", later(1000)), given([reserved("cus_A", t0)])), { outcome: "taken" });
});

t.test("an old reservation is checked against its customer", async (t) => {
  t.same(decideEmailReservation(reserve("cus_B", later(GRACE)), given([reserved("cus_A", t0)])), {
    outcome: "check-holder",
    holder_id: "cus_A",
  });
});

t.test("an old reservation whose customer exists means the email is taken", async (t) => {
  t.same(decideEmailReservation(reserve("cus_B", later(GRACE)), given([reserved("cus_A", t0)]), active), { outcome: "taken" });
});

t.test("an old reservation whose customer never appeared must be fenced first", async (t) => {
  t.same(decideEmailReservation(reserve("cus_B", later(GRACE)), given([reserved("cus_A", t0)]), { status: "absent" }), {
    outcome: "fence-holder",
    holder_id: "cus_A",
  });
});

t.test("once the stalled create is fenced, the reservation is released and taken over", async (t) => {
  const now = later(GRACE);
  t.same(decideEmailReservation(reserve("cus_B", now), given([reserved("cus_A", t0)]), { status: "abandoned" }), {
    outcome: "reserve",
    events: [
      {
        type: "CustomerEmailReleased",
        data: { email: "a@b.com", has_account: false, customer_id: "cus_A", released_at: now.toISOString(), reason: "creation_abandoned" },
      },
      reserved("cus_B", now),
    ],
  });
});

t.test("an old reservation whose holder changed its email or was deleted is taken over", async (t) => {
  const now = later(GRACE);
  const released = (reason: "email_changed" | "customer_deleted") => ({
    outcome: "reserve",
    events: [
      { type: "CustomerEmailReleased", data: { email: "a@b.com", has_account: false, customer_id: "cus_A", released_at: now.toISOString(), reason } },
      reserved("cus_B", now),
    ],
  });
  const customer = (active as Extract<CustomerState, { status: "active" }>).customer;
  const changed: CustomerState = { status: "active", customer: { ...customer, email: "new@b.com" }, addresses: [], group_ids: [] };
  t.same(decideEmailReservation(reserve("cus_B", now), given([reserved("cus_A", t0)]), changed), released("email_changed"));
  const deleted: CustomerState = { status: "deleted", customer, deleted_at: now.toISOString() };
  t.same(decideEmailReservation(reserve("cus_B", now), given([reserved("cus_A", t0)]), deleted), released("customer_deleted"));
  const erased: CustomerState = { status: "erased", id: customer.id, erased_at: now.toISOString() };
  t.same(decideEmailReservation(reserve("cus_B", now), given([reserved("cus_A", t0)]), erased), released("customer_deleted"), "an erased holder has moved on");
});

t.test("a release frees only the holder's own reservation", async (t) => {
  const release = (customer_id: string): ReleaseEmail => ({
    type: "ReleaseEmail",
    data: { email: "a@b.com", has_account: false, customer_id, reason: "customer_deleted", now: t0 },
  });
  t.same(decideEmailRelease(release("cus_A"), given([reserved("cus_A", t0)])), [
    { type: "CustomerEmailReleased", data: { email: "a@b.com", has_account: false, customer_id: "cus_A", released_at: t0.toISOString(), reason: "customer_deleted" } },
  ]);
  t.same(decideEmailRelease(release("cus_X"), given([reserved("cus_A", t0)])), []);
  t.same(decideEmailRelease(release("cus_A"), given([])), []);
});

t.test("evolve: a release frees the email only from its holder", async (t) => {
  const release = (customer_id: string): EmailReservationEvent => ({
    type: "CustomerEmailReleased",
    data: { email: "a@b.com", has_account: false, customer_id, released_at: t0.toISOString(), reason: "creation_abandoned" },
  });
  t.same(given([reserved("cus_A", t0), release("cus_A")]), { holder: null });
  t.same(given([reserved("cus_A", t0), release("cus_X")]).holder?.customer_id, "cus_A");
});

t.test("stream names: exact email, separate for has_account, never a customer stream", async (t) => {
  const key = randomBytes(32);
  const name = (email: string, hasAccount: boolean) => emailReservationStreamName(key, email, hasAccount);
  t.not(name("A@b.com", false), name("a@b.com", false));
  t.not(name("a@b.com", true), name("a@b.com", false));
  t.equal(name("a@b.com", false), name("a@b.com", false));
  t.notOk(name("x".repeat(10_000), false).startsWith("customer-"));
  t.ok(name("x".repeat(10_000), false).length < 80);
});

t.test("stream names: keyed, so a list of emails hashed by anyone finds none of them", async (t) => {
  const key = randomBytes(32);
  const name = emailReservationStreamName(key, "a@b.com", false);
  t.not(emailReservationStreamName(randomBytes(32), "a@b.com", false), name, "another key, another name");
  const plainDigest = createHash("sha256").update("0:a@b.com").digest("base64url");
  t.notOk(name.includes(plainDigest), "not the plain sha256 of the email");
  t.notOk(name.startsWith(LEGACY_EMAIL_RESERVATION_STREAM_PREFIX), "a prefix read of the legacy names does not find it");
  t.equal(legacyEmailReservationStreamName("a@b.com", false), `customer_email-${plainDigest}`, "the legacy name, as stores written before hold it");
});
