/**
 * A reader thread of the SQLite read model (sqliteReader.ts): its own connection to the file,
 * which only reads, and runs each request's statements in one read transaction, so a page
 * and its count see the same snapshot. In WAL mode it reads beside the writer without
 * waiting, and sees every transaction committed before the request began.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import { registerReadModelFunctions } from "./sqliteFunctions.js";
import type { SqlStatement } from "./sqliteReader.js";
import { serveReadModelRequests } from "./sqliteThread.js";

const { filename } = workerData as { filename: string };
const db = new Database(filename, { fileMustExist: true, timeout: 10_000 });
db.pragma("query_only = ON");
registerReadModelFunctions(db);

/** Prepared statements by their text: the lists send a few shapes of query again and again. */
const prepared = new Map<string, Database.Statement>();
const MAX_PREPARED = 500;

function statement(sql: string): Database.Statement {
  let found = prepared.get(sql);
  if (!found) {
    found = db.prepare(sql);
    if (prepared.size >= MAX_PREPARED) prepared.clear();
    prepared.set(sql, found);
  }
  return found;
}

const readAll = db.transaction((statements: SqlStatement[]) => statements.map(({ sql, params }) => statement(sql).all(...params)));

serveReadModelRequests(parentPort!, (statements: SqlStatement[]) => readAll.deferred(statements));
