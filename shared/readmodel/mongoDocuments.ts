/**
 * One MongoDB collection of read-model documents, each keyed by its id and guarded by the
 * stream revision it reflects: insert for a stream's first document, replace-where-revision
 * for the next, so a replayed or duplicated event changes nothing. Uses only what FerretDB v1
 * also supports. The MongoDB read model keeps customers and groups in one of these each.
 * A server that cannot be reached in time surfaces as the port's ReadModelUnavailable.
 */
import { type Collection, type Document, MongoBulkWriteError, MongoServerError } from "mongodb";
import { type Query, type Sort, type Value, toMongoFilter } from "./query.js";
import { isMongoUnreachable } from "../mongodb/connect.js";
import { type Change, type Page, ReadModelRevisionGap, ReadModelUnavailable } from "./port.js";

const DUPLICATE_KEY = 11000;

/** How a document is written to and read from its collection (`id` becomes `_id`). */
export interface StoredForm<T, S extends Document & { _id: string; revision: number }> {
  toStored(document: T): S;
  fromStored(stored: S): T;
}

export class MongoDocuments<T extends { id: string; revision: number }, S extends Document & { _id: string; revision: number }> {
  /**
   * Writes in flight on this collection, across every batch (a projector works on several
   * partitions at once). A server that applies writes one at a time (FerretDB on SQLite)
   * would only queue more, until the queued ones outlast MONGODB_TIMEOUT_MS and whole
   * batches fail and are sent again, again and again, during the very catch-up that needs them.
   */
  readonly #writeSlots = new Slots(MAX_WRITES_IN_FLIGHT);

  /**
   * `queryTimeMs`: the server stops a list or count after this long (`maxTimeMS`),
   * whatever its filter; the caller gets ReadModelUnavailable.
   */
  constructor(
    readonly collection: Collection<S>,
    private readonly form: StoredForm<T, S>,
    private readonly queryTimeMs: number,
  ) {}

  async get(id: string): Promise<T | null> {
    const stored = await reachable(() => this.collection.findOne({ _id: id } as never));
    return stored ? this.form.fromStored(stored as S) : null;
  }

  /**
   * One lookup by _id per document, side by side: FerretDB (SQLite) runs `_id` equality as an
   * index lookup but scans the whole collection for `$in`.
   */
  async getMany(ids: string[]): Promise<Map<string, T>> {
    const found = await inParallel(ids, (id) => this.get(id));
    return new Map(found.filter((document) => document !== null).map((document) => [document.id, document]));
  }

  /** Every document's id, deleted ones included. */
  async ids(): Promise<string[]> {
    const stored = await reachable(() => this.collection.find({}, { projection: { _id: 1 } }).toArray());
    return stored.map((document) => document._id as string);
  }

  /** Live documents matching `filter`, one page in `sort` order (then by id), and how many match. */
  async list(filter: Query, sort: Sort, skip: number, limit: number): Promise<Page<T>> {
    const matching = [{ deleted_at: null }, toMongoFilter(filter, storedField)];
    const [stored, count] = await reachable(() => Promise.all([this.#page(matching, sort, skip, limit), this.#count(matching)]));
    return { documents: stored.map((document) => this.form.fromStored(document as S)), count };
  }

  /**
   * One page in `sort` order. Medusa's PostgreSQL puts documents without a value last when
   * ascending and first when descending; MongoDB sorts null and missing before every value and
   * has no NULLS LAST. So the documents with a value (sorted by it, through the field's index as
   * before) and those without (by id) are read as two parts, the one that comes first at the
   * page's offset; the other is read only when the page runs past the first, and the first
   * part's size counted only when the page starts beyond it. Nothing is stored for the order,
   * so documents written by earlier versions are ordered the same way.
   */
  async #page(matching: Document[], sort: Sort, skip: number, limit: number): Promise<Document[]> {
    if (limit === 0) return [];
    if (sort.field === "id") return this.#find(matching, { _id: sort.direction }, skip, limit);
    const field = storedField(sort.field);
    const withValue: Part = { filter: [...matching, { [field]: { $ne: null } }], order: { [field]: sort.direction, _id: 1 } };
    const withoutValue: Part = { filter: [...matching, { [field]: null }], order: { _id: 1 } };
    const [first, second] = sort.direction === 1 ? [withValue, withoutValue] : [withoutValue, withValue];
    const page = await this.#find(first.filter, first.order, skip, limit);
    if (page.length === limit) return page;
    const secondSkip = page.length > 0 ? 0 : Math.max(0, skip - (await this.#count(first.filter)));
    return [...page, ...(await this.#find(second.filter, second.order, secondSkip, limit - page.length))];
  }

  #find(conditions: Document[], order: Record<string, 1 | -1>, skip: number, limit: number): Promise<Document[]> {
    return this.collection
      .find({ $and: conditions } as never, { maxTimeMS: this.queryTimeMs })
      .sort(order)
      .skip(skip)
      .limit(limit)
      .toArray();
  }

  #count(conditions: Document[]): Promise<number> {
    return this.collection.countDocuments({ $and: conditions } as never, { maxTimeMS: this.queryTimeMs });
  }

  /**
   * The distinct values of `field` among the live documents matching `filter`. FerretDB 1.24
   * refuses `maxTimeMS` on distinct, so only the socket timeout bounds it.
   */
  async distinct(field: string, filter: Query): Promise<Value[]> {
    return reachable(() => this.collection.distinct(field, { $and: [{ deleted_at: null }, toMongoFilter(filter, storedField)] } as never));
  }

  /**
   * New documents in one insertMany; the others each replaced where their revision is the
   * expected one. Only documents whose write did not happen (a replay, or a gap) are read
   * back to tell which.
   */
  saveMany(changes: Change<T>[]): Promise<void> {
    return reachable(() => this.#saveMany(changes));
  }

  async #saveMany(changes: Change<T>[]): Promise<void> {
    const inserts = changes.filter((change) => change.previousRevision === null);
    const replaces = changes.filter((change) => change.previousRevision !== null);
    const unapplied: T[] = [];
    // A few documents per command, each with its own time limit: one insert of hundreds (a
    // projector far behind, a rebuild) can take longer than the limit on a busy server and
    // would then fail whole on every retry; chunks that succeed stay written, and a retry
    // finds them as replays.
    await inParallel(chunked(inserts, INSERT_CHUNK), async (chunk) => {
      try {
        await this.#writeSlots.run(() =>
          this.collection.insertMany(
            chunk.map((change) => this.form.toStored(change.document)) as never,
            { ordered: false },
          ),
        );
      } catch (error) {
        if (!(error instanceof MongoBulkWriteError)) throw error;
        const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
        // Only duplicates (replays) are fine. A bulk error without write errors is the whole
        // command failing (the driver wraps a timed-out connection this way): nothing is known
        // to be written, so it must not pass for a replay.
        if (writeErrors.length === 0 || writeErrors.some((writeError) => writeError.code !== DUPLICATE_KEY)) throw error;
        for (const writeError of writeErrors) unapplied.push(chunk[writeError.index]!.document);
      }
    });
    const replaced = await inParallel(replaces, (change) =>
      this.#writeSlots.run(() =>
        this.collection.replaceOne({ _id: change.document.id, revision: change.previousRevision! } as never, this.form.toStored(change.document)),
      ),
    );
    replaced.forEach((result, index) => {
      if (result.matchedCount === 0) unapplied.push(replaces[index]!.document);
    });
    await inParallel(unapplied, (document) => this.#confirmAtLeast(document));
  }

  /** Passes when the stored document is at or past `document`'s revision (a replay); else a gap. */
  async #confirmAtLeast(document: T): Promise<void> {
    const current = await this.collection.findOne({ _id: document.id } as never, { projection: { revision: 1 } });
    if (!current || current.revision < document.revision) throw new ReadModelRevisionGap(document.id, current?.revision ?? null, document.revision);
  }
}

/** Documents matching all of `filter`, in `order`: one part of a page (MongoDocuments' #page). */
interface Part {
  filter: Document[];
  order: Record<string, 1 | -1>;
}

/** Documents per insert command (see #saveMany). */
export const INSERT_CHUNK = 16;

function chunked<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** See MongoDocuments' #writeSlots. */
const MAX_WRITES_IN_FLIGHT = 4;

/** At most `size` tasks at once; the others wait their turn, first come first served. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<R>(task: () => Promise<R>): Promise<R> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free += 1;
    }
  }
}

/**
 * At most this many operations of one call at a time. A projector batch touches hundreds of
 * documents; sent all at once they would queue for the connection pool, and past
 * MONGODB_TIMEOUT_MS the whole batch would fail, again and again.
 */
const PARALLEL_OPERATIONS = 16;

export async function inParallel<T, R>(items: T[], operation: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await operation(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_OPERATIONS, items.length) }, worker));
  return results;
}

/** MongoDB's code for an operation stopped by its `maxTimeMS`. */
const MAX_TIME_MS_EXPIRED = 50;

/** The operation's result; an unreachable or too slow server as ReadModelUnavailable (503, retry later). */
export async function reachable<R>(operation: () => Promise<R>): Promise<R> {
  try {
    return await operation();
  } catch (error) {
    const timedOut = error instanceof MongoServerError && error.code === MAX_TIME_MS_EXPIRED;
    throw timedOut || isMongoUnreachable(error) ? new ReadModelUnavailable(error) : error;
  }
}

/** The document's `id` is `_id` in MongoDB. */
const storedField = (field: string): string => (field === "id" ? "_id" : field);

/**
 * Metadata is free-form JSON whose keys may hold "." or start with "$", which MongoDB
 * field names (and FerretDB's in particular) do not allow; it is kept as JSON text. No
 * route filters on metadata, so nothing is lost.
 */
export const metadataToText = (metadata: Record<string, unknown> | null): string | null => (metadata === null ? null : JSON.stringify(metadata));
export const metadataFromText = (text: string | null): Record<string, unknown> | null => (text === null ? null : JSON.parse(text));
