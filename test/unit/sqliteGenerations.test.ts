/**
 * The embedded read model's generations on disk: the pointer names the serving one (the
 * first, `readmodel.sqlite`, when there is none), and what an unfinished rebuild left is
 * found and removed.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { generationFile, recordServingGeneration, removeGeneration, removeOtherGenerations, servingGeneration } from "../../shared/readmodel/sqliteGenerations.js";
import { makeDataDir } from "../support/service.js";

t.test("the pointer names the serving generation; without one it is the first", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  t.equal(servingGeneration(data.dir), 0);
  t.equal(generationFile(data.dir, 0), join(data.dir, "readmodel.sqlite"), "the file every earlier version wrote");
  recordServingGeneration(data.dir, 3);
  t.equal(servingGeneration(data.dir), 3);
  t.equal(generationFile(data.dir, 3), join(data.dir, "readmodel-g3.sqlite"));
  t.same(readdirSync(data.dir), ["readmodel-generation.json"], "no temporary file stays");
});

t.test("generations other than the serving one go, with their SQLite side files; nothing else does", async (t) => {
  const data = makeDataDir();
  t.teardown(() => data.remove());
  for (const name of ["readmodel.sqlite", "readmodel.sqlite-wal", "readmodel-g2.sqlite", "readmodel-g2.sqlite-shm", "readmodel-g3.sqlite", "events.sqlite", "sessions.sqlite"]) writeFileSync(join(data.dir, name), "");
  t.same(removeOtherGenerations(data.dir, 3).sort(), [0, 2]);
  t.same(readdirSync(data.dir).sort(), ["events.sqlite", "readmodel-g3.sqlite", "sessions.sqlite"]);
  removeGeneration(data.dir, 3);
  t.same(readdirSync(data.dir).sort(), ["events.sqlite", "sessions.sqlite"]);
});
