/**
 * The benchmark's yardstick: the HTTP layer alone. A bare Fastify server with the service's
 * own validation (the same request schemas and validator compiler) and its query parser, that
 * keeps customers in a Map and nothing durable: no auth, no event store, no read model. The
 * service's figures are read as ratios to this server's, measured in the same run on the same
 * machine, so that a slow or busy machine does not read as a slow service.
 *
 * Started by `npm run bench` as a process of its own: PORT (and HOST) say where it listens.
 */
import Fastify from "fastify";
import qs from "qs";
import { AdminCreateCustomer, AdminUpdateCustomer, CustomerIdParams } from "../shared/http/customers/schemas.js";
import { medusaValidatorCompiler } from "../shared/http/validation/compiler.js";

type Customer = Record<string, unknown> & { id: string };

const customers = new Map<string, Customer>();
const order: Customer[] = [];
let sequence = 0;

const app = Fastify({
  routerOptions: { querystringParser: (query) => qs.parse(query, { depth: 5, arrayLimit: 100, parameterLimit: 1000 }) },
});
app.setValidatorCompiler(medusaValidatorCompiler);
app.setSerializerCompiler(() => (data) => JSON.stringify(data));

app.get("/health", async () => ({ status: "ok" }));

app.post("/admin/customers", { schema: { body: AdminCreateCustomer } }, async (request) => {
  sequence += 1;
  const now = new Date().toISOString();
  const customer: Customer = { id: `cus_${sequence}`, ...(request.body as object), has_account: false, created_at: now, updated_at: now, deleted_at: null };
  customers.set(customer.id, customer);
  order.push(customer);
  return { customer };
});

app.get("/admin/customers/:id", { schema: { params: CustomerIdParams } }, async (request, reply) => {
  const customer = customers.get((request.params as { id: string }).id);
  if (!customer) return reply.code(404).send({ type: "not_found", message: "Customer not found" });
  return { customer };
});

app.post("/admin/customers/:id", { schema: { params: CustomerIdParams, body: AdminUpdateCustomer } }, async (request, reply) => {
  const customer = customers.get((request.params as { id: string }).id);
  if (!customer) return reply.code(404).send({ type: "not_found", message: "Customer not found" });
  Object.assign(customer, request.body as object, { updated_at: new Date().toISOString() });
  return { customer };
});

app.get("/admin/customers", async (request) => {
  const query = request.query as { offset?: string; limit?: string };
  const offset = Number(query.offset ?? 0);
  const limit = Number(query.limit ?? 50);
  return { customers: order.slice(offset, offset + limit), count: order.length, offset, limit };
});

await app.listen({ port: Number(process.env.PORT ?? 0), host: process.env.HOST ?? "127.0.0.1" });
for (const signal of ["SIGTERM", "SIGINT"] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
