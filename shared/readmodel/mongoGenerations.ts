/**
 * The MongoDB read model's generations: generation 0 is the `customers` and
 * `customer_groups` collections every earlier version wrote, generation N their
 * `customers_g<N>` and `customer_groups_g<N>`. A pointer document names the generation
 * serving, and the rebuild running (which process holds it, its heartbeat, its progress), so
 * that every command service and projector follows the same generation and any command
 * service can show a rebuild another one runs. (FerretDB has no renameCollection with
 * dropTarget, so readers switch by name rather than by a rename.)
 */
import type { Collection, Db, MongoClient } from "mongodb";
import { MongoServerError } from "mongodb";
import { connectMongo } from "../mongodb/connect.js";
import { reachable } from "./mongoDocuments.js";
import { RebuildRunning } from "./projections.js";
import type { RebuildView } from "./rebuildProgress.js";

export function generationCollections(generation: number): { customers: string; groups: string } {
  return generation === 0 ? { customers: "customers", groups: "customer_groups" } : { customers: `customers_g${generation}`, groups: `customer_groups_g${generation}` };
}

const POINTER_COLLECTION = "read_model_generations";
const POINTER_ID = "customers";
const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;

interface Pointer {
  _id: string;
  serving: number;
  /** The rebuild running: its generation, the process that runs it and when it last said so. */
  building: { generation: number; owner: string; heartbeat_at: number } | null;
  /** The running rebuild's progress, or the last one's. */
  rebuild: RebuildView | null;
}

export class MongoGenerations {
  readonly #client: MongoClient;
  readonly #db: Db;
  readonly #pointers: Collection<Pointer>;

  private constructor(client: MongoClient, database: string) {
    this.#client = client;
    this.#db = client.db(database);
    this.#pointers = this.#db.collection<Pointer>(POINTER_COLLECTION);
  }

  static async connect(url: string, database: string, timeoutMs: number): Promise<MongoGenerations> {
    return new MongoGenerations(await connectMongo(url, timeoutMs), database);
  }

  async serving(): Promise<number> {
    return (await this.#pointer())?.serving ?? 0;
  }

  async status(): Promise<{ serving: number; rebuild: RebuildView | null }> {
    const pointer = await this.#pointer();
    return { serving: pointer?.serving ?? 0, rebuild: pointer?.rebuild ?? null };
  }

  #pointer(): Promise<Pointer | null> {
    return reachable(() => this.#pointers.findOne({ _id: POINTER_ID }));
  }

  /**
   * Takes the rebuild for `owner`, unless another process holds it and said so within
   * `staleAfterMs` (RebuildRunning). Answers the generation to build: the one after the serving.
   */
  async claim(owner: string, now: number, staleAfterMs: number): Promise<number> {
    let before: Pointer | null;
    try {
      before = await reachable(() => this.#pointers.findOneAndUpdate(
        { _id: POINTER_ID, $or: [{ building: null }, { "building.heartbeat_at": { $lt: now - staleAfterMs } }] },
        { $set: { building: { generation: -1, owner, heartbeat_at: now } }, $setOnInsert: { serving: 0, rebuild: null } },
        { upsert: true, returnDocument: "before" },
      ));
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) {
        const running = await this.#pointer();
        throw new RebuildRunning(running?.building?.generation ?? -1);
      }
      throw error;
    }
    const generation = (before?.serving ?? 0) + 1;
    await this.#pointers.updateOne({ _id: POINTER_ID, "building.owner": owner }, { $set: { "building.generation": generation } });
    return generation;
  }

  /** Says the rebuild is alive and how far it is; false when another process has taken it over. */
  async report(owner: string, view: RebuildView, now: number): Promise<boolean> {
    const { matchedCount } = await this.#pointers.updateOne({ _id: POINTER_ID, "building.owner": owner }, { $set: { "building.heartbeat_at": now, rebuild: view } });
    return matchedCount === 1;
  }

  /** Points every reader and projector at `generation`. */
  async switchServing(owner: string, generation: number, view: RebuildView): Promise<boolean> {
    const { matchedCount } = await this.#pointers.updateOne({ _id: POINTER_ID, "building.owner": owner }, { $set: { serving: generation, rebuild: view } });
    return matchedCount === 1;
  }

  async release(owner: string, view: RebuildView): Promise<void> {
    await this.#pointers.updateOne({ _id: POINTER_ID, "building.owner": owner }, { $set: { building: null, rebuild: view } });
  }

  /** Drops a generation's collections (none there is fine). */
  async drop(generation: number): Promise<void> {
    const names = generationCollections(generation);
    for (const name of [names.customers, names.groups]) {
      try {
        await this.#db.collection(name).drop();
      } catch (error) {
        if (!(error instanceof MongoServerError && (error.code === NAMESPACE_NOT_FOUND || /not found|doesn't exist|does not exist/i.test(error.message)))) throw error;
      }
    }
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
