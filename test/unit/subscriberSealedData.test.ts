/**
 * The kit and sealed personal fields: a message as the events topic carries it (personal fields
 * sealed under the customer's key) decodes with them opened when the subscriber has the keys,
 * and withheld (null, `personal_data: "withheld"`) when it has not; never as a poison message.
 */
import { readFileSync } from "node:fs";
import t from "tap";
import { newDataKey } from "../../shared/crypto/sealing.js";
import { openPersonalData, sealPersonalData } from "../../shared/events/personalData.js";
import { decodeEvent, openedValue } from "../../shared/subscriber/decode.js";

const fixture = JSON.parse(readFileSync("test/fixtures/events/CustomerCreated.v1.json", "utf8")) as { type: string; data: Record<string, unknown> };
const key = newDataKey();
const sealedMessage = JSON.stringify({ ...fixture, data: sealPersonalData(fixture.type, fixture.data, key) });

t.test("with the keys, the handler gets the fields as written", async (t) => {
  t.notOk(sealedMessage.includes(String(fixture.data.email)), "the message itself does not hold the email");
  const decoded = decodeEvent(await openedValue(sealedMessage, async (type, data) => openPersonalData(type, data, key)));
  t.equal(decoded.kind, "event");
  t.same(decoded.kind === "event" && decoded.event.data, fixture.data);
});

t.test("without them, the personal fields are withheld and the rest is there", async (t) => {
  const decoded = decodeEvent(await openedValue(sealedMessage));
  t.equal(decoded.kind, "event", "not a poison message");
  const data = decoded.kind === "event" ? (decoded.event.data as Record<string, unknown>) : {};
  t.match(data, { id: fixture.data.id, email: null, first_name: null, metadata: null, has_account: fixture.data.has_account, personal_data: "withheld" });
  t.notOk("sealed" in data);
});

t.test("messages in the clear (written before sealing) pass as they are", async (t) => {
  const clear = JSON.stringify(fixture);
  t.equal(await openedValue(clear), clear);
  t.equal(await openedValue("not json"), "not json");
});
