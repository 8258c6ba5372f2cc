/**
 * The embedded event store's writer thread (sqliteEventWriter.ts): its own connection to the
 * events file, committing one batch of appends at a time in the order they come.
 */
import { parentPort, workerData } from "node:worker_threads";
import { serveRequests } from "../threads/requestThread.js";
import { SqliteAppender, openEventsFile } from "./sqliteAppender.js";
import type { CommitRequest } from "./sqliteEventWriter.js";

const { filename } = workerData as { filename: string };
const appender = new SqliteAppender(openEventsFile(filename, { mustExist: true }));

serveRequests(parentPort!, ({ writes, recordedAt }: CommitRequest) => appender.commit(writes, recordedAt));
