import t from "tap";
import { stopInOrder } from "../../shared/runtime/stopInOrder.js";

t.test("every part is stopped, in order, when all succeed", async (t) => {
  const stopped: string[] = [];
  await stopInOrder([() => stopped.push("server"), async () => stopped.push("pool")]);
  t.same(stopped, ["server", "pool"]);
});

t.test("a part that fails does not leave the ones after it open; its error is thrown at the end", async (t) => {
  const stopped: string[] = [];
  const failure = new Error("the read model did not close");
  await t.rejects(
    stopInOrder([
      async () => {
        throw failure;
      },
      () => stopped.push("event store"),
      () => stopped.push("key store"),
    ]),
    failure,
  );
  t.same(stopped, ["event store", "key store"]);
});

t.test("several failures are thrown together", async (t) => {
  const error = await stopInOrder([
    () => {
      throw new Error("one");
    },
    async () => {
      throw new Error("two");
    },
  ]).catch((caught: unknown) => caught);
  t.type(error, AggregateError);
  t.same((error as AggregateError).errors.map((e: Error) => e.message), ["one", "two"]);
});
