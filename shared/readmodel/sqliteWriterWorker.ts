/**
 * The writer thread of the SQLite read model (sqliteWriter.ts): its own connection to the
 * file, the only one that writes documents, one batch at a time in the order they come.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { BatchWriter, WRITER_CACHE_KIB } from "./sqliteTables.js";
import { serveReadModelRequests } from "./sqliteThread.js";
import type { WriterRequest } from "./sqliteWriter.js";

const { filename } = workerData as { filename: string };
const db = new Database(filename, { fileMustExist: true, timeout: 10_000 });
db.pragma("synchronous = NORMAL");
db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
const writer = new BatchWriter(db);

serveReadModelRequests(parentPort!, (request: WriterRequest) => {
  if (request.kind === "write") return writer.write(request.batch);
  writer.reset();
  return null;
});
