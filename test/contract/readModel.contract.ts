/**
 * The read-model contract: the in-memory adapter and the MongoDB adapter both run it.
 */
import { randomUUID } from "node:crypto";
import type { Test } from "tap";
import type { CustomerDocument } from "../../shared/readmodel/customerDocument.js";
import { type CustomerReadModel, ReadModelRevisionGap } from "../../shared/readmodel/port.js";
import { address, customerDocument, customerGroupDocument } from "../support/documents.js";
import { EVERYTHING, type Query, where } from "../../shared/readmodel/query.js";
import { parseOrder } from "../../shared/http/listFilters.js";
import { CUSTOMER_ORDER_FIELDS } from "../../shared/http/customers/listSchemas.js";
import { GROUP_ORDER_FIELDS } from "../../shared/http/customerGroups/schemas.js";
import { ADDRESS_COLUMNS } from "../../shared/http/answerColumns.js";

export interface ReadModelFixture {
  readModel: CustomerReadModel;
  cleanup(): Promise<void>;
}

/** Stores one customer document, as a projector batch of one does. */
const saveCustomer = (readModel: CustomerReadModel, document: CustomerDocument, previousRevision: number | null) =>
  readModel.customers.save([{ document, previousRevision }]);

export function readModelContract(t: Test, makeFixture: () => Promise<ReadModelFixture>): void {
  let fixture: ReadModelFixture;
  let id: string;
  t.beforeEach(async () => {
    fixture = await makeFixture();
    id = `cus_${randomUUID()}`;
  });
  t.afterEach(async () => fixture.cleanup());

  t.test("stores a new document and reads it back", async (t) => {
    const document = customerDocument({ id, metadata: { a: { b: [1, 2] } } });
    await saveCustomer(fixture.readModel, document, null);
    t.same(await fixture.readModel.customers.get(id), document);
    t.equal(await fixture.readModel.customers.get(`cus_${randomUUID()}`), null);
  });

  t.test("lists every stored document's id, deleted ones included", async (t) => {
    const { readModel } = fixture;
    const deleted = `cus_${randomUUID()}`;
    const group = `cusgroup_${randomUUID()}`;
    await saveCustomer(readModel, customerDocument({ id }), null);
    await saveCustomer(readModel, customerDocument({ id: deleted, deleted_at: "2026-01-01T00:00:00.000Z" }), null);
    await readModel.groups.save([{ document: customerGroupDocument({ id: group }), previousRevision: null }]);
    const ids = { customers: await readModel.customers.ids(), groups: await readModel.groups.ids() };
    t.ok(ids.customers.includes(id) && ids.customers.includes(deleted), "live and deleted customers");
    t.ok(ids.groups.includes(group), "and groups");
    t.notOk(ids.customers.includes(group), "each kind apart");
  });

  t.test("a revision already applied changes nothing", async (t) => {
    const { readModel } = fixture;
    await saveCustomer(readModel, customerDocument({ id, first_name: "First" }), null);
    await saveCustomer(readModel, customerDocument({ id, first_name: "Second", revision: 1 }), 0);
    await saveCustomer(readModel, customerDocument({ id, first_name: "Replayed" }), null); // a replay
    await saveCustomer(readModel, customerDocument({ id, first_name: "Again", revision: 1 }), 0); // a replay
    t.equal((await readModel.customers.get(id))?.first_name, "Second");
  });

  t.test("a revision that skips one is refused", async (t) => {
    const { readModel } = fixture;
    await saveCustomer(readModel, customerDocument({ id }), null);
    await t.rejects(saveCustomer(readModel, customerDocument({ id, revision: 2 }), 1), ReadModelRevisionGap);
    t.equal((await readModel.customers.get(id))?.revision, 0);
  });

  t.test("a batch of changes is saved at once; replays in it change nothing; a gap fails it", async (t) => {
    const { readModel } = fixture;
    const other = `${id}-b`;
    await saveCustomer(readModel, customerDocument({ id: other, first_name: "Stored" }), null);
    await readModel.customers.save([
      { document: customerDocument({ id, first_name: "New" }), previousRevision: null },
      { document: customerDocument({ id: other, first_name: "Replayed" }), previousRevision: null },
    ]);
    const both = await readModel.customers.getMany([id, other, `${id}-missing`]);
    t.same([...both.keys()].sort(), [id, other].sort());
    t.equal(both.get(id)?.first_name, "New");
    t.equal(both.get(other)?.first_name, "Stored", "an insert of an existing document is a replay");
    await t.rejects(readModel.customers.save([{ document: customerDocument({ id, revision: 3 }), previousRevision: 2 }]), ReadModelRevisionGap);
    t.same(await readModel.customers.getMany([]), new Map());
  });

  t.test("waiting resolves when the revision arrives, not before", async (t) => {
    const { readModel } = fixture;
    const waited = readModel.customers.waitFor(id, 1, 5000);
    let settled = false;
    void waited.then(() => (settled = true));
    await saveCustomer(readModel, customerDocument({ id }), null);
    await new Promise((resolve) => setTimeout(resolve, 20));
    t.notOk(settled, "revision 0 does not satisfy a wait for 1");
    await saveCustomer(readModel, customerDocument({ id, revision: 1, first_name: "Now" }), 0);
    t.equal((await waited)?.first_name, "Now");
  });

  t.test("lists with MongoDB's semantics: filters, order, pagination, count", async (t) => {
    const { readModel } = fixture;
    // Every document of this test carries a tag of its own, so other tests' documents never match.
    const tag = `user_${randomUUID()}`;
    const people = [
      { id: `${tag}-1`, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", company_name: "Engines", created_at: "2026-01-01T00:00:00.000Z" },
      { id: `${tag}-2`, email: "ADA@example.com", first_name: "Ada", last_name: "Byron", company_name: null, created_at: "2026-01-02T00:00:00.000Z" },
      { id: `${tag}-3`, email: null, first_name: "Grace", last_name: "Hopper", company_name: "Navy", created_at: "2026-01-03T00:00:00.000Z" },
      { id: `${tag}-4`, email: "alan@example.com", first_name: "Alan", last_name: "Turing", company_name: "Bletchley", created_at: "2026-01-04T00:00:00.000Z" },
      { id: `${tag}-5`, email: "gone@example.com", first_name: "Gone", last_name: "Away", company_name: null, created_at: "2026-01-05T00:00:00.000Z" },
    ];
    for (const person of people) {
      const addresses = person.id.endsWith("-3")
        ? [address({ id: `${tag}-addr-a`, customer_id: person.id, is_default_billing: false }), address({ id: `${tag}-addr-b`, customer_id: person.id, is_default_billing: true })]
        : [];
      await saveCustomer(readModel, customerDocument({ ...person, created_by: tag, addresses, group_ids: person.id.endsWith("-4") ? ["cusgroup_vip", "cusgroup_b2b"] : [] }), null);
    }
    await saveCustomer(readModel, customerDocument({ ...people[4]!, created_by: tag, group_ids: ["cusgroup_gone"], deleted_at: "2026-02-01T00:00:00.000Z", revision: 1 }), 0);

    const list = async (filter: Query, sort = { field: "id", direction: 1 as 1 | -1 }, skip = 0, limit = 50) => {
      const page = await readModel.customers.list({ filter: where.and(where.eq("created_by", tag), filter), sort, skip, limit });
      return { ids: page.documents.map((c) => c.id.slice(tag.length + 1)), count: page.count };
    };
    t.same(await list(EVERYTHING), { ids: ["1", "2", "3", "4"], count: 4 }, "deleted customers never appear; default order by id");
    t.same(await list(where.eq("email", "ada@example.com")), { ids: ["1"], count: 1 }, "exact, case-sensitive");
    t.same(await list(where.in("email", ["ada@example.com", "alan@example.com"])), { ids: ["1", "4"], count: 2 });
    t.same(await list(where.or(where.eq("first_name", "Grace"), where.eq("last_name", "Turing"))), { ids: ["3", "4"], count: 2 });
    t.same(await list(where.or(where.regex("email", "ADA", true), where.regex("company_name", "ADA", true))).then((r) => r.ids), ["1", "2"]);
    t.same((await list(where.and(where.range("created_at", "gt", "2026-01-02T00:00:00.000Z"), where.range("created_at", "lte", "2026-01-04T00:00:00.000Z")))).ids, ["3", "4"]);
    t.same((await list(where.and(where.nin("id", [`${tag}-1`]), where.ne("company_name", null)))).ids, ["3", "4"]);
    t.same((await list(where.eq("group_ids", "cusgroup_vip"))).ids, ["4"], "a value matches an element of an array");
    t.same((await list(where.in("group_ids", ["cusgroup_b2b", "cusgroup_other"]))).ids, ["4"]);
    t.same((await list(where.ne("group_ids", "cusgroup_vip"))).ids, ["1", "2", "3"], "not equal: no element is");
    t.same((await list(where.nin("group_ids", ["cusgroup_other", "cusgroup_b2b"]))).ids, ["1", "2", "3"], "not in: no element is");
    t.same((await list(where.and(where.eq("group_ids", "cusgroup_vip"), where.eq("first_name", "Alan")), { field: "first_name", direction: -1 })).ids, ["4"]);
    t.same((await list(where.or(where.eq("group_ids", "cusgroup_vip"), where.eq("first_name", "Grace")))).ids, ["3", "4"], "an array's element or a field");
    t.same((await readModel.customers.distinct("group_ids", where.eq("created_by", tag))).sort(), ["cusgroup_b2b", "cusgroup_vip"], "the groups of live customers, each once");
    t.same(await readModel.customers.distinct("group_ids", where.and(where.eq("created_by", tag), where.eq("first_name", "Ada"))), []);
    t.same((await list(where.eq("email", null))).ids, ["3"], "null matches a missing value");
    t.same((await list(where.eq("addresses.id", `${tag}-addr-a`))).ids, ["3"], "a dotted path reaches into arrays of documents");
    t.same((await list(EVERYTHING, { field: "email", direction: 1 })).ids, ["2", "1", "4", "3"], "ascending: by code point, null last");
    t.same((await list(EVERYTHING, { field: "email", direction: -1 })).ids, ["3", "4", "1", "2"], "descending: null first");
    t.same((await list(EVERYTHING, { field: "first_name", direction: 1 })).ids, ["1", "2", "4", "3"], "ties go by id");
    t.same(await list(EVERYTHING, undefined, 1, 2), { ids: ["2", "3"], count: 4 }, "skip and limit; count ignores them");
    t.same(await list(EVERYTHING, { field: "id", direction: -1 }, 1, 2), { ids: ["3", "2"], count: 4 }, "by id descending, paged");
    t.same(await list(where.eq("first_name", "Ada"), undefined, 1, 5), { ids: ["2"], count: 2 }, "skip applies to the matches");
    t.same(await list(EVERYTHING, undefined, 0, 0), { ids: [], count: 4 });
  });

  t.test("missing values order as in Medusa's PostgreSQL: last ascending, first descending, and pages cross them", async (t) => {
    const { readModel } = fixture;
    const tag = `user_${randomUUID()}`;
    // Ties (two "Engines", three without a company) go by id; text keeps its case-sensitive order.
    const companies = ["Navy", null, "Engines", null, "bletchley", "Engines", null];
    await readModel.customers.save(
      companies.map((company_name, n) => ({ document: customerDocument({ id: `${tag}-${n}`, created_by: tag, company_name, phone: n === 3 ? "+1 555" : null }), previousRevision: null })),
    );
    await saveCustomer(readModel, customerDocument({ id: `${tag}-gone`, created_by: tag, deleted_at: "2026-02-01T00:00:00.000Z", revision: 1 }), null);
    // `order` as the API takes it: `field`, or `-field` for descending.
    const page = async (order: string, skip: number, limit: number) => {
      const listed = await readModel.customers.list({ filter: where.eq("created_by", tag), sort: parseOrder(order, CUSTOMER_ORDER_FIELDS), skip, limit });
      return { ids: listed.documents.map((c) => c.id.slice(tag.length + 1)), count: listed.count };
    };
    const expected: Record<string, string[]> = {
      company_name: ["2", "5", "0", "4", "1", "3", "6"],
      "-company_name": ["1", "3", "6", "4", "0", "2", "5"],
    };
    for (const [order, ids] of Object.entries(expected)) {
      t.same(await page(order, 0, 50), { ids, count: 7 }, `order=${order}`);
      for (const limit of [1, 2, 3]) {
        const paged: string[] = [];
        for (let skip = 0; skip < ids.length; skip += limit) {
          const { ids: onPage, count } = await page(order, skip, limit);
          t.equal(count, 7);
          paged.push(...onPage);
        }
        t.same(paged, ids, `order=${order}, ${limit} at a time: every customer once, in order, across the missing values' edge`);
      }
      t.same((await page(order, 6, 5)).ids, ids.slice(6), "a page that starts past the edge");
      t.same(await page(order, 7, 5), { ids: [], count: 7 }, "past the end");
      t.same(await page(order, 2, 0), { ids: [], count: 7 }, "no rows, the count still");
    }
    t.same((await page("phone", 0, 2)).ids, ["3", "0"], "one value: it comes first ascending");
    t.same((await page("-phone", 5, 2)).ids, ["6", "3"], "and last descending");
    t.same((await page("-phone", 0, 3)).ids, ["0", "1", "2"], "the missing ones by id");

    const groups = [null, "user_b", null, "user_a"].map((created_by, n) => customerGroupDocument({ id: `${tag}-g${n}`, name: `${tag} ${n}`, created_by }));
    await readModel.groups.save(groups.map((document) => ({ document, previousRevision: null })));
    const groupIds = async (order: string, skip = 0, limit = 10) =>
      (await readModel.groups.list({ filter: where.in("id", groups.map((group) => group.id)), sort: parseOrder(order, GROUP_ORDER_FIELDS), skip, limit })).documents.map((group) => group.id.slice(tag.length + 1));
    t.same(await groupIds("created_by"), ["g3", "g1", "g0", "g2"], "groups too");
    t.same(await groupIds("-created_by"), ["g0", "g2", "g1", "g3"]);
    t.same(await groupIds("-created_by", 1, 2), ["g2", "g1"]);

    const addresses = [null, "Oslo", "Bergen", null].map((city, n) => address({ id: `${id}-addr-${n}`, customer_id: id, city }));
    await saveCustomer(readModel, customerDocument({ id, addresses }), null);
    const addressIds = async (order: string, skip = 0, limit = 10) =>
      (await readModel.listAddresses({ customerId: id, filter: EVERYTHING, sort: parseOrder(order, ADDRESS_COLUMNS), skip, limit })).documents.map((found) => found.id.slice(id.length + 1));
    t.same(await addressIds("city"), ["addr-2", "addr-1", "addr-0", "addr-3"], "and a customer's addresses");
    t.same(await addressIds("-city"), ["addr-0", "addr-3", "addr-1", "addr-2"]);
    t.same(await addressIds("city", 1, 2), ["addr-1", "addr-0"]);
  });

  t.test("a new revision is found by its new values only, through every filter and order, and a deleted one by none", async (t) => {
    const { readModel } = fixture;
    const tag = `user_${randomUUID()}`;
    const id = `cus_${randomUUID()}`;
    const list = async (filter: Query, sort = { field: "id", direction: 1 as 1 | -1 }) =>
      (await readModel.customers.list({ filter: where.and(where.eq("created_by", tag), filter), sort, skip: 0, limit: 10 })).documents.map((document) => document.first_name);
    const first = { id, created_by: tag, email: "before@example.com", first_name: "Before", last_name: "Same", company_name: "Old Co", updated_at: "2026-01-01T00:00:00.000Z" };
    await saveCustomer(readModel, customerDocument(first), null);
    await saveCustomer(readModel, customerDocument({ ...first, id: `${id}-other`, email: "other@example.com", first_name: "Other", updated_at: "2026-01-02T00:00:00.000Z" }), null);
    await saveCustomer(readModel, customerDocument({ ...first, revision: 1, email: "after@example.com", first_name: "After", updated_at: "2026-01-03T00:00:00.000Z" }), 0);
    t.same(await list(where.eq("email", "after@example.com")), ["After"], "the new value is found");
    t.same(await list(where.eq("email", "before@example.com")), [], "the old one is not");
    t.same(await list(where.eq("first_name", "Before")), []);
    t.same(await list(where.eq("last_name", "Same")), ["After", "Other"], "an unchanged value still finds it");
    t.same(await list(where.eq("company_name", "Old Co")), ["After", "Other"]);
    t.same(await list(EVERYTHING, { field: "updated_at", direction: -1 }), ["After", "Other"], "ordered by its new value");
    t.same(await list(EVERYTHING, { field: "email", direction: 1 }), ["After", "Other"]);
    t.same(await list(where.search(["first_name"], "after")), ["After"], "searched by its new text");
    t.same(await list(where.search(["first_name"], "before")), []);

    await saveCustomer(readModel, customerDocument({ ...first, revision: 2, email: "after@example.com", first_name: "After", deleted_at: "2026-01-04T00:00:00.000Z" }), 1);
    t.same(await list(where.eq("last_name", "Same")), ["Other"], "deleted: found by nothing");
    t.same(await list(EVERYTHING, { field: "updated_at", direction: -1 }), ["Other"]);
    t.same(await list(where.search(["first_name"], "after")), []);
  });

  t.test("the members of one group, paged in id order both ways, follow joins, leaves and deletions", async (t) => {
    const { readModel } = fixture;
    const group = `cusgroup_${randomUUID()}`;
    const other = `cusgroup_${randomUUID()}`;
    const tag = randomUUID();
    const ids = Array.from({ length: 30 }, (_, n) => `cus_${tag}_${String(n).padStart(2, "0")}`);
    // Saved out of id order: the order of the answers is the ids', not the writes'.
    for (const id of [...ids].reverse()) {
      const n = Number(id.slice(-2));
      await saveCustomer(readModel, customerDocument({ id, group_ids: n % 3 === 0 ? [group] : n % 3 === 1 ? [other, group] : [other] }), null);
    }
    const members = ids.filter((_, n) => n % 3 !== 2);
    const page = async (direction: 1 | -1, skip: number, limit: number) => {
      const listed = await readModel.customers.list({ filter: where.eq("group_ids", group), sort: { field: "id", direction }, skip, limit });
      return { ids: listed.documents.map((document) => document.id), count: listed.count };
    };
    t.same(await page(1, 0, 5), { ids: members.slice(0, 5), count: 20 });
    t.same(await page(1, 15, 10), { ids: members.slice(15), count: 20 }, "the last page, short");
    t.same(await page(-1, 2, 3), { ids: [...members].reverse().slice(2, 5), count: 20 }, "newest id first");
    t.same(await page(1, 0, 0), { ids: [], count: 20 }, "the count alone");
    t.same((await readModel.customers.list({ filter: where.in("group_ids", [group]), sort: { field: "id", direction: 1 }, skip: 0, limit: 50 })).documents.length, 20);

    // One member leaves, another is deleted, a third joins.
    await saveCustomer(readModel, customerDocument({ id: ids[0]!, revision: 1, group_ids: [] }), 0);
    await saveCustomer(readModel, customerDocument({ id: ids[1]!, revision: 1, group_ids: [other, group], deleted_at: "2026-02-01T00:00:00.000Z" }), 0);
    await saveCustomer(readModel, customerDocument({ id: ids[2]!, revision: 1, group_ids: [group] }), 0);
    const now = [ids[2]!, ...members.filter((id) => id !== ids[0] && id !== ids[1])].sort();
    t.same(await page(1, 0, 50), { ids: now, count: 19 }, "the left and the deleted are gone, the new member is in its place");
    t.same((await readModel.customers.list({ filter: where.eq("group_ids", other), sort: { field: "id", direction: 1 }, skip: 0, limit: 50 })).count, 18, "the other group lost its deleted member, and the one that moved");
  });

  t.test("searches find a text anywhere in any of their fields, ignoring case, in live documents only", async (t) => {
    const { readModel } = fixture;
    const tag = `user_${randomUUID()}`;
    const people = [
      { id: `${tag}-1`, email: "ada@example.com", first_name: "Ada", last_name: "Lovelace", company_name: "Engines" },
      { id: `${tag}-2`, email: "ADA@example.com", first_name: "Émile", last_name: "Zola", company_name: 'The "Ada" Press' },
      { id: `${tag}-3`, email: null, first_name: "ÉMILE", last_name: "Hopper", company_name: null },
      { id: `${tag}-4`, email: "alan@example.com", first_name: "Alan", last_name: "Turing", company_name: "Bletchley" },
      { id: `${tag}-5`, email: "gone@example.com", first_name: "Gone", last_name: "Away", company_name: null },
    ];
    for (const person of people) await saveCustomer(readModel, customerDocument({ ...person, created_by: tag }), null);
    await saveCustomer(readModel, customerDocument({ ...people[4]!, created_by: tag, deleted_at: "2026-02-01T00:00:00.000Z", revision: 1 }), 0);
    const fields = ["company_name", "first_name", "last_name", "email", "phone"];
    const search = async (text: string, searched = fields) => {
      const page = await readModel.customers.list({ filter: where.and(where.eq("created_by", tag), where.search(searched, text)), sort: { field: "id", direction: 1 }, skip: 0, limit: 50 });
      return { ids: page.documents.map((c) => c.id.slice(tag.length + 1)), count: page.count };
    };
    t.same(await search("ada"), { ids: ["1", "2"], count: 2 }, "in any field, any case");
    t.same(await search("ELACE"), { ids: ["1"], count: 1 }, "inside a word");
    t.same(await search("ov"), { ids: ["1"], count: 1 }, "two characters");
    t.same(await search("a"), { ids: ["1", "2", "4"], count: 3 }, "one character");
    t.same(await search("ada", ["last_name", "first_name"]), { ids: ["1"], count: 1 }, "only in the fields searched");
    t.same(await search("émile"), { ids: ["2", "3"], count: 2 }, "letters beyond ASCII ignore case too");
    t.same(await search("emile"), { ids: [], count: 0 }, "accents are not ignored");
    t.same(await search('"ada" p'), { ids: ["2"], count: 1 }, "quotes are text");
    t.same(await search("gone"), { ids: [], count: 0 }, "deleted customers are never found");
    t.same(await search("zzz"), { ids: [], count: 0 });
    await saveCustomer(readModel, customerDocument({ ...people[3]!, created_by: tag, last_name: "Church", revision: 1 }), 0);
    t.same(await search("uring"), { ids: [], count: 0 }, "an old value is no longer found");
    t.same(await search("CHURCH"), { ids: ["4"], count: 1 }, "the new one is");
    const page = await readModel.customers.list({ filter: where.and(where.eq("created_by", tag), where.search(fields, "example")), sort: { field: "email", direction: -1 }, skip: 1, limit: 1 });
    t.same({ ids: page.documents.map((c) => c.id.slice(tag.length + 1)), count: page.count }, { ids: ["1"], count: 3 }, "in any order, paged, counted");
    await saveCustomer(readModel, customerDocument({ ...people[3]!, created_by: tag, last_name: "Church", metadata: { vip: true }, revision: 2 }), 1);
    t.same(await search("CHURCH"), { ids: ["4"], count: 1 }, "still found after a change that leaves the searched fields alone");
    await saveCustomer(readModel, customerDocument({ ...people[3]!, created_by: tag, last_name: "Church", deleted_at: "2026-03-01T00:00:00.000Z", revision: 3 }), 2);
    t.same(await search("CHURCH"), { ids: [], count: 0 }, "not once deleted, though its searched fields did not change");
  });

  t.test("a customer's addresses are filtered and paged by the read side; a deleted customer has none", async (t) => {
    const { readModel } = fixture;
    const addresses = ["Oslo", "Bergen", "Oslo"].map((city, n) => address({ id: `${id}-addr-${n}`, customer_id: id, city }));
    await saveCustomer(readModel, customerDocument({ id, addresses }), null);
    const page = await readModel.listAddresses({ customerId: id, filter: where.eq("city", "Oslo"), sort: { field: "id", direction: -1 }, skip: 0, limit: 1 });
    t.same([page.documents.map((found) => found.id), page.count], [[`${id}-addr-2`], 2]);
    await saveCustomer(readModel, customerDocument({ id, addresses, deleted_at: "2026-02-01T00:00:00.000Z", revision: 1 }), 0);
    const gone = await readModel.listAddresses({ customerId: id, filter: EVERYTHING, sort: { field: "id", direction: 1 }, skip: 0, limit: 10 });
    t.same(gone, { documents: [], count: 0 });
  });

  t.test("waiting for a revision already there resolves at once", async (t) => {
    await saveCustomer(fixture.readModel, customerDocument({ id }), null);
    t.equal((await fixture.readModel.customers.waitFor(id, 0, 5000))?.id, id);
  });

  t.test("waiting gives up with null after the timeout", async (t) => {
    const started = Date.now();
    t.equal(await fixture.readModel.customers.waitFor(id, 0, 50), null);
    t.ok(Date.now() - started >= 45);
  });

  t.test("groups: stored, guarded by revision, listed, waited for", async (t) => {
    const { readModel } = fixture;
    const groupId = `cusgroup_${randomUUID()}`;
    const group = customerGroupDocument({ id: groupId, name: `VIP ${groupId}`, metadata: { "a.b": { $c: 1 } } });
    await readModel.groups.save([{ document: group, previousRevision: null }]);
    t.same(await readModel.groups.get(groupId), group);
    const waited = readModel.groups.waitFor(groupId, 1, 5000);
    await readModel.groups.save([{ document: { ...group, name: "Renamed", revision: 1 }, previousRevision: 0 }]);
    t.equal((await waited)?.name, "Renamed");
    await readModel.groups.save([{ document: { ...group, name: "Replayed" }, previousRevision: null }]);
    t.equal((await readModel.groups.get(groupId))?.name, "Renamed", "a replay changes nothing");
    await t.rejects(readModel.groups.save([{ document: { ...group, revision: 5 }, previousRevision: 4 }]), ReadModelRevisionGap);

    const tag = `user_${randomUUID()}`;
    const others = ["B", "A", "C"].map((name, index) => customerGroupDocument({ id: `${tag}-${index}`, name, created_by: tag }));
    await readModel.groups.save(others.map((document) => ({ document, previousRevision: null })));
    await readModel.groups.save([{ document: { ...others[2]!, deleted_at: "2026-02-01T00:00:00.000Z", revision: 1 }, previousRevision: 0 }]);
    const page = await readModel.groups.list({ filter: where.eq("created_by", tag), sort: { field: "name", direction: 1 }, skip: 0, limit: 10 });
    t.same(page.documents.map((g) => g.name), ["A", "B"], "deleted groups never appear");
    t.equal(page.count, 2);
    const found = await readModel.groups.getMany([others[0]!.id, `${tag}-missing`, others[2]!.id]);
    t.same([...found.keys()], [others[0]!.id, others[2]!.id], "getGroups returns what is stored, deleted included");
  });
}
