/**
 * POST /admin/customers and GET /admin/customers/:id, case by case against Medusa 2.21.2's
 * answers (the API spec, sections 1 to 6), on the embedded defaults over real HTTP.
 */
import { connect } from "node:net";
import t from "tap";
import { ADMIN_ID, type TestService, startTestService } from "../support/service.js";
import { countEvents } from "../support/storeInspection.js";

let api: TestService;
t.before(async () => {
  api = await startTestService();
});
t.teardown(() => api.stop());

const DEFAULT_KEYS = [
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
];
const uniqueEmail = (tag: string) => `${tag}.${Date.now()}.${Math.random().toString(36).slice(2)}@example.com`;

t.test("creates a customer and answers with the read model's document", async (t) => {
  const email = uniqueEmail("full");
  const res = await api.request("POST", "/admin/customers", {
    body: { email, company_name: "Acme", first_name: "Ada", last_name: "Lovelace", phone: "+44 20 0000", metadata: { foo: "bar", n: 1 } },
  });
  t.equal(res.status, 200);
  t.equal(res.headers.get("content-type"), "application/json; charset=utf-8");
  t.equal(res.headers.get("x-read-model"), null, "answered from the read model, not the fallback");
  const { customer } = res.json;
  t.same(Object.keys(res.json), ["customer"]);
  t.same(Object.keys(customer), DEFAULT_KEYS, "Medusa's default fields, in its order");
  t.match(customer.id, /^cus_[0-9A-HJKMNP-TV-Z]{26}$/);
  t.match(customer, {
    email,
    company_name: "Acme",
    first_name: "Ada",
    last_name: "Lovelace",
    phone: "+44 20 0000",
    metadata: { foo: "bar", n: 1 },
    has_account: false,
    created_by: ADMIN_ID,
    deleted_at: null,
  });
  t.match(customer.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  t.equal(customer.updated_at, customer.created_at);

  const fetched = await api.request("GET", `/admin/customers/${customer.id}`);
  t.equal(fetched.status, 200);
  t.same(fetched.json, { customer });
});

t.test("an empty object, or no body at all, creates a customer with every field null", async (t) => {
  for (const options of [{ body: {} }, {}]) {
    const res = await api.request("POST", "/admin/customers", options);
    t.equal(res.status, 200);
    t.match(res.json.customer, { email: null, company_name: null, first_name: null, last_name: null, phone: null, metadata: null });
  }
});

t.test("null is accepted for every nullable field", async (t) => {
  const res = await api.request("POST", "/admin/customers", {
    body: { email: null, company_name: null, first_name: null, last_name: null, phone: null, metadata: null, additional_data: null },
  });
  t.equal(res.status, 200);
  t.equal(res.json.customer.email, null);
});

t.test("additional_data is accepted and not stored", async (t) => {
  const res = await api.request("POST", "/admin/customers", { body: { first_name: "Hook", additional_data: { anything: [1] } } });
  t.equal(res.status, 200);
  t.notOk("additional_data" in res.json.customer);
});

t.test("form-urlencoded bodies are read like JSON ones", async (t) => {
  const email = uniqueEmail("form");
  const res = await api.request("POST", "/admin/customers", {
    rawBody: `email=${encodeURIComponent(email)}&first_name=Form&metadata[source]=web`,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  t.equal(res.status, 200);
  t.match(res.json.customer, { email, first_name: "Form", metadata: { source: "web" } });
});

t.test("the email is stored exactly as sent", async (t) => {
  const email = `MiXeD.${Date.now()}@Example.COM`;
  const res = await api.request("POST", "/admin/customers", { body: { email } });
  t.equal(res.json.customer.email, email);
});

t.test("retrieving an unknown customer is Medusa's 404", async (t) => {
  const res = await api.request("GET", "/admin/customers/cus_nope");
  t.equal(res.status, 404);
  t.same(res.json, { type: "not_found", message: "Customer with id: cus_nope not found" });
});

t.test("a trailing slash works", async (t) => {
  const res = await api.request("POST", "/admin/customers/", { body: {} });
  t.equal(res.status, 200);
});

t.test("validation errors: Medusa's exact status and message, and nothing is written", async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ["number email", { email: 123 }, "Invalid request: Expected type: 'string' for field 'email', got: '123'"],
    ["not an email", { email: "notanemail" }, "Invalid request: Invalid email address"],
    ["unknown key", { foo: "bar" }, "Invalid request: Unrecognized fields: 'foo'"],
    [
      "type error and unknown keys",
      { foo: "bar", baz: 1, email: 5 },
      "Invalid request: Expected type: 'string' for field 'email', got: '5'; Unrecognized fields: 'foo, baz'",
    ],
    [
      "only the first three issues, in schema order",
      { first_name: 5, last_name: 6, phone: 7, company_name: 8 },
      "Invalid request: Expected type: 'string' for field 'company_name', got: '8'; Expected type: 'string' for field 'first_name', got: '5'; Expected type: 'string' for field 'last_name', got: '6'",
    ],
    ["metadata as text", { metadata: "x" }, "Invalid request: Expected type: 'record' for field 'metadata', got: 'x'"],
    ["metadata as array", { metadata: [1, 2] }, "Invalid request: Expected type: 'record' for field 'metadata', got: '1,2'"],
    ["array body", [1, 2], "Invalid request: Field '' is required"],
    ["has_account is not writable", { has_account: true }, "Invalid request: Unrecognized fields: 'has_account'"],
    ["neither are id and created_by", { id: "cus_x", created_by: "me" }, "Invalid request: Unrecognized fields: 'id, created_by'"],
    ["boolean name", { first_name: true }, "Invalid request: Expected type: 'string' for field 'first_name', got: 'true'"],
    ["object name", { last_name: { a: 1 } }, "Invalid request: Expected type: 'string' for field 'last_name', got: '[object Object]'"],
    ["additional_data as text", { additional_data: "x" }, "Invalid request: Expected type: 'record' for field 'additional_data', got: 'x'"],
    ["email with spaces", { email: " a@b.com" }, "Invalid request: Invalid email address"],
  ];
  const before = await countEvents(api.dataDir);
  for (const [name, body, message] of cases) {
    const res = await api.request("POST", "/admin/customers", { body });
    t.equal(res.status, 400, name);
    t.same(res.json, { type: "invalid_data", message }, name);
  }
  t.equal(await countEvents(api.dataDir), before, "no event was appended by a rejected request");
});

t.test("email addresses: zod 4's rules", async (t) => {
  for (const email of ["a@b", "a@b.c", "ü@x.com", "a@localhost", "a..b@x.com", '"q"@x.com', "a@[127.0.0.1]", ".a@x.com"]) {
    const res = await api.request("POST", "/admin/customers", { body: { email } });
    t.same([res.status, res.json.message], [400, "Invalid request: Invalid email address"], email);
  }
  for (const email of ["a+b@x.co", "A@B.COM", "a_b@x-y.com", "o'brien@x.io"]) {
    const res = await api.request("POST", "/admin/customers", { body: { email: `${Date.now()}${email}` } });
    t.equal(res.status, 200, email);
  }
});

t.test("malformed bodies", async (t) => {
  const json = { "content-type": "application/json" };
  const badJson = await api.request("POST", "/admin/customers", { rawBody: "not json", headers: json });
  t.equal(badJson.status, 400);
  t.equal(badJson.text, `{"message":"Unexpected token 'n', \\"not json\\" is not valid JSON","type":"invalid_data"}`);

  const strict = await api.request("POST", "/admin/customers", { rawBody: '"abc"', headers: json });
  t.equal(strict.status, 400, "a JSON string is not an object (body-parser strict mode)");
  t.equal(strict.json.type, "invalid_data");

  const text = await api.request("POST", "/admin/customers", { rawBody: "hello", headers: { "content-type": "text/plain" } });
  t.same([text.status, text.json], [400, { type: "invalid_data", message: "Invalid request: Field '' is required" }]);

  const before = await countEvents(api.dataDir);
  const sendBytes = (bytes: Buffer, contentType: string) =>
    fetch(`${api.baseUrl}/admin/customers`, { method: "POST", headers: { authorization: `Bearer ${api.token}`, "content-type": contentType }, body: bytes });
  const utf16 = await sendBytes(Buffer.from('{"first_name":"Ada"}', "utf16le"), "application/json; charset=utf-16");
  t.same([utf16.status, await utf16.json()], [415, { type: "invalid_data", message: 'Unsupported charset "utf-16": send the body in UTF-8' }]);
  const latin1 = await sendBytes(Buffer.from("first_name=Ad\xe9", "latin1"), "application/x-www-form-urlencoded; charset=ISO-8859-1");
  t.equal(latin1.status, 415, "form bodies too");
  const invalid = await sendBytes(Buffer.concat([Buffer.from('{"first_name":"A'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), "application/json");
  t.same([invalid.status, await invalid.json()], [400, { type: "invalid_data", message: "The request body is not valid UTF-8 text" }], "not silently U+FFFD");
  const overlong = await sendBytes(Buffer.concat([Buffer.from('{"first_name":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]), "application/json; charset=UTF-8");
  t.equal(overlong.status, 400, "an overlong encoding is not UTF-8 either");
  t.equal(await countEvents(api.dataDir), before, "none of them wrote anything");
  const explicit = await sendBytes(Buffer.from('{"first_name":"Zoë"}'), 'application/json; charset="utf-8"');
  t.same([explicit.status, ((await explicit.json()) as { customer: { first_name: string } }).customer.first_name], [200, "Zoë"]);

  const xml = await api.request("POST", "/admin/customers", { rawBody: "<a/>", headers: { "content-type": "application/xml" } });
  t.equal(xml.status, 415);
  t.equal(xml.json.type, "invalid_data");

  const big = await api.request("POST", "/admin/customers", { body: { metadata: { blob: "x".repeat(200 * 1024) } } });
  t.same([big.status, big.json], [413, { message: "request entity too large", type: "unknown_error" }]);
});

t.test("bad JSON is reported before authentication, as Medusa's body parser runs first", async (t) => {
  const res = await api.request("POST", "/admin/customers", { rawBody: "{", headers: { "content-type": "application/json" }, token: false });
  t.equal(res.status, 400);
  const noAuth = await api.request("POST", "/admin/customers", { body: { email: 5 }, token: false });
  t.same([noAuth.status, noAuth.json], [401, { message: "Unauthorized" }], "validation comes after authentication");
});

t.test("values that could not be stored are refused with a 400, not a 500", async (t) => {
  const before = await countEvents(api.dataDir);
  const nul = await api.request("POST", "/admin/customers", { body: { first_name: "a\u0000b" } });
  t.same([nul.status, nul.json.type], [400, "invalid_data"]);
  t.match(nul.json.message, /first_name.*NUL/);
  const nulKey = await api.request("POST", "/admin/customers", { body: { metadata: { "a\u0000": 1 } } });
  t.equal(nulKey.status, 400);
  let deep: unknown = "bottom";
  for (let i = 0; i < 200; i += 1) deep = { d: deep };
  const tooDeep = await api.request("POST", "/admin/customers", { body: { metadata: deep } });
  t.same([tooDeep.status, tooDeep.json.type], [400, "invalid_data"]);
  const hostile = await api.request("POST", "/admin/customers", {
    rawBody: `{"metadata":${"[".repeat(40_000)}${"]".repeat(40_000)}}`,
    headers: { "content-type": "application/json" },
  });
  t.equal(hostile.status, 400, "deeply nested JSON does not crash the process");
  t.equal(await countEvents(api.dataDir), before);
  for (const [name, rawBody] of <Array<[string, string]>>[
    ["a lone high surrogate", '{"first_name":"a\\ud800b"}'],
    ["a lone low surrogate", '{"first_name":"\\udc00"}'],
    ["a reversed pair", '{"first_name":"\\udc00\\ud800"}'],
    ["a lone surrogate in a metadata key", '{"metadata":{"k\\udfff":1}}'],
  ]) {
    const res = await api.request("POST", "/admin/customers", { rawBody, headers: { "content-type": "application/json" } });
    t.same([res.status, res.json.type], [400, "invalid_data"], name);
    t.match(res.json.message, /lone surrogate/, name);
  }
  const pair = await api.request("POST", "/admin/customers", { rawBody: '{"first_name":"\\ud83d\\ude80"}', headers: { "content-type": "application/json" } });
  t.same([pair.status, pair.json.customer?.first_name], [200, "🚀"], "an escaped surrogate pair is a character");
  const alive = await api.request("POST", "/admin/customers", { body: { first_name: "Ünïcødé 🚀 \u202e" } });
  t.same([alive.status, alive.json.customer.first_name], [200, "Ünïcødé 🚀 \u202e"]);
});

t.test("query parameters: only fields is allowed", async (t) => {
  const unknown = await api.request("POST", "/admin/customers?unknown=1", { body: {} });
  t.same([unknown.status, unknown.json], [400, { type: "invalid_data", message: "Invalid request: Unrecognized fields: 'unknown'" }]);
  const limit = await api.request("GET", "/admin/customers/cus_x?limit=1");
  t.same([limit.status, limit.json.message], [400, "Invalid request: Unrecognized fields: 'limit'"]);
  const arrays = await api.request("POST", "/admin/customers?fields[]=id&fields[]=email", { body: {} });
  t.same(arrays.json, { type: "invalid_data", message: "Invalid request: Expected type: 'string' for field 'fields', got: 'id,email'" });
  const deep = await api.request("POST", "/admin/customers?a.b.c=1", { body: {} });
  t.same([deep.status, deep.json], [400, { type: "invalid_data", message: "Key accessor more than 2 levels deep: a.b.c" }]);
});

t.test("fields: replace, +, -, relations, dotted relation fields, unknown names", async (t) => {
  const email = uniqueEmail("fields");
  const created = await api.request("POST", "/admin/customers", { body: { email, metadata: { a: 1 } } });
  const { id } = created.json.customer;
  const get = async (fields: string) => (await api.request("GET", `/admin/customers/${id}?fields=${fields}`)).json.customer;

  t.same(await get("id,email"), { id, email });
  t.same(Object.keys(await get("email")), ["email", "id"], "a bare name replaces the defaults; id is always added");
  t.same(await get(""), { id }, "an empty fields gives only the id");
  t.same(Object.keys(await get("-email,-metadata")), DEFAULT_KEYS.filter((k) => k !== "email" && k !== "metadata"));
  const relations = await get("*addresses,*groups");
  t.same(Object.keys(relations), [...DEFAULT_KEYS, "addresses", "groups"]);
  t.same([relations.addresses, relations.groups], [[], []]);
  const dotted = await get("%2Bgroups.name,-metadata");
  t.same(Object.keys(dotted), [...DEFAULT_KEYS.filter((k) => k !== "metadata"), "groups"]);
  t.same(dotted.groups, []);
  t.same(await get("id,addresses.city"), { id, addresses: [] });
  t.same(await get("foo"), { id }, "unknown names are left out, not rejected");
  t.same(Object.keys(await get("+foo")), DEFAULT_KEYS);
  t.same(Object.keys(await get("+email")), DEFAULT_KEYS, "an unencoded + arrives as a space and still adds");
  t.same(Object.keys(await get("groups.*")), [...DEFAULT_KEYS, "groups"]);

  const onCreate = await api.request("POST", "/admin/customers?fields=id,email", { body: { email: uniqueEmail("create-fields") } });
  t.same(Object.keys(onCreate.json.customer), ["id", "email"], "the create answer honours fields too");
});

t.test("the OpenAPI document describes the routes", async (t) => {
  const res = await api.request("GET", "/openapi.json", { token: false });
  t.equal(res.status, 200);
  t.ok(res.json.paths["/admin/customers"].post.requestBody);
  t.ok(res.json.paths["/admin/customers/{id}"].get);
  const { paths, components } = res.json;
  t.same(Object.keys(components.securitySchemes).sort(), ["bearer", "secretKey", "session"], "the three ways to authenticate");
  const retrieve = paths["/admin/customers/{id}"].get;
  t.same(retrieve.security, [{ bearer: [] }, { session: [] }, { secretKey: [] }], "an /admin route takes any of them");
  t.same(Object.keys(retrieve.responses).sort(), ["200", "304", "400", "401", "404", "414", "503"]);
  t.ok(retrieve.responses["200"].headers.ETag, "a read documents its ETag");
  t.same(retrieve.parameters.filter((p: { in: string }) => p.in === "header").map((p: { name: string }) => p.name), ["if-none-match"]);
  const update = paths["/admin/customers/{id}"].post;
  t.ok(update.responses["412"], "a conditional write documents its 412");
  t.same(update.parameters.filter((p: { in: string }) => p.in === "header").map((p: { name: string }) => p.name), ["idempotency-key", "if-match"]);
  t.ok(update.responses["422"] && update.responses["200"].headers["Idempotent-Replayed"], "a write documents its Idempotency-Key's answers");
  t.ok(paths["/admin/customers/{id}/history"].get.responses["200"], "the history route is documented");
  const rebuild = paths["/admin/projections/rebuild"].post;
  t.ok(rebuild.responses["202"] && rebuild.responses["409"], "a rebuild answers 202, or 409 while one is running");
  t.same(paths["/admin/projections"].get.responses["200"].content["application/json"].schema.properties.projections.items, { $ref: "#/components/schemas/Projection" });
  t.same(retrieve.responses["200"].content["application/json"].schema.properties.customer, { $ref: "#/components/schemas/Customer" });
  const create = paths["/admin/customers"].post;
  t.ok(["403", "409", "413", "415"].every((status) => status in create.responses), "a write documents the cross-site, conflict and body answers");
  t.equal(create.requestBody.content["application/json"].schema.properties.metadata.anyOf[0].propertyNames.maxLength, 256, "metadata keys are limited");
  const login = paths["/auth/{actor_type}/{auth_provider}"].post;
  t.same(login.security, [], "logging in needs no credentials");
  t.ok(login.responses["401"] && login.responses["429"], "a failed login and the login limit are documented");
  t.match(paths["/admin/customers"].get.description, /OpenAPI cannot express/, "the query styles have a note");
  t.notOk(JSON.stringify(res.json).includes('"x-'), "the routes' own annotations are not published");
  t.ok(components.schemas.Customer && components.schemas.Error && components.schemas.StorableJson);
});

t.test("the document can be browsed at /docs, without its own pages in it", async (t) => {
  const page = await api.request("GET", "/docs/", { token: false });
  t.equal(page.status, 200);
  t.match(page.headers.get("content-type"), /text\/html/);
  t.match(page.text, /swagger-ui/i);
  const document = (await api.request("GET", "/openapi.json", { token: false })).json;
  t.notOk(Object.keys(document.paths).some((path) => path.startsWith("/docs") || path === "/openapi.json" || path === "/health"), "only the API's routes are documented");
});

t.test("a URL that cannot be decoded is a Medusa-shaped 400 that does not echo it", async (t) => {
  for (const path of ["/admin/customers/%E0%A4%A", "/%", `/admin/customers/%ZZ${"x".repeat(2000)}`]) {
    const res = await api.request("GET", path);
    t.same([res.status, res.json], [400, { type: "invalid_data", message: "The request URL is not valid: it has a malformed %-escape" }], path.slice(0, 30));
  }
});

t.test("framework errors are Medusa-shaped and never echo unbounded input", async (t) => {
  const long = await api.request("GET", `/admin/customers/${"a".repeat(5000)}`);
  t.same([long.status, long.json], [414, { type: "invalid_data", message: "A path parameter is longer than 500 characters" }]);
  t.notOk(long.text.includes("aaaaaaaaaa"), "the parameter is not echoed");

  const fits = await api.request("GET", `/admin/customers/${"b".repeat(500)}`);
  t.equal(fits.status, 404, "a parameter within the limit is looked up as usual");

  const patch = await api.request("PATCH", "/admin/customers");
  t.same([patch.status, patch.json], [404, { type: "not_found", message: "Cannot PATCH /admin/customers" }], "a known method on no route: Medusa's (Express's) 404");
  const unknownPath = await api.request("GET", `/nowhere/${"c".repeat(8000)}`);
  t.equal(unknownPath.status, 404);
  t.ok(unknownPath.json.message.length < 300, "a long unknown path is cut short in the message");

  // Bytes Node's HTTP parser refuses never reach Fastify: an unknown method, headers over the limit.
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port: Number(new URL(api.baseUrl).port) }, () => socket.end(request));
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk.toString()));
      socket.on("end", () => resolve(answer));
      socket.on("error", reject);
    });
  const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
  const foo = await raw("FOO /admin/customers HTTP/1.1\r\nHost: x\r\n\r\n");
  t.match(foo, /^HTTP\/1\.1 400 Bad Request\r\n/);
  t.same(bodyOf(foo), { type: "invalid_data", message: "The request's method is not an HTTP method this server knows" });
  const huge = await raw(`GET /admin/customers HTTP/1.1\r\nHost: x\r\nX-Big: ${"d".repeat(20_000)}\r\n\r\n`);
  t.match(huge, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  t.same(bodyOf(huge), { type: "invalid_data", message: "The request's headers are larger than the server accepts" });
  t.equal((await api.request("GET", "/health", { token: false })).status, 200, "and the service carries on");
});
