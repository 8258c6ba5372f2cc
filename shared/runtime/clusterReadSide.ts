/**
 * The cluster's read side over MongoDB generations (shared/readmodel/mongoGenerations.ts).
 *
 * Every command service and projector follows the pointer document: each reads or writes the
 * generation it names, and switches when it moves (checked every FOLLOW_MS). A rebuild runs
 * in the command service that was asked for it: it projects the whole log from the event
 * store into the next generation's collections (the same in-process pipeline the embedded
 * mode uses), keeps following the log once caught up, moves the pointer, keeps following for
 * SWITCH_GRACE_MS while every process switches (a projector's writes to either generation are
 * guarded by revision, so both writing is harmless), then stops and, another grace later,
 * drops the old generation's collections. Its progress is in the pointer document, so any
 * command service shows it; a rebuild whose process stopped saying so for STALE_AFTER_MS may
 * be taken over.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterSettings, Settings } from "../config.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import type { EventStore, GlobalPosition } from "../eventstore/port.js";
import { comparePositions } from "../eventstore/positions.js";
import type { Logger } from "../logger.js";
import type { ProcessLogger } from "../logging.js";
import type { CustomerDocument } from "../readmodel/customerDocument.js";
import type { CustomerGroupDocument } from "../readmodel/customerGroupDocument.js";
import { MongoGenerations } from "../readmodel/mongoGenerations.js";
import { MongoReadModel } from "../readmodel/mongodb.js";
import { PROJECTION_ID, type ProjectionView, type Projections } from "../readmodel/projections.js";
import { RebuildProgress } from "../readmodel/rebuildProgress.js";
import { SwitchableReadModel } from "../readmodel/switchable.js";
import { Signal } from "../signal.js";
import { startInProcessPipeline } from "./inProcessPipeline.js";

/** How often each process looks at the pointer. */
export const FOLLOW_MS = 500;
/** How long a rebuild goes on projecting after the switch, and waits again before dropping the old generation. */
const SWITCH_GRACE_MS = 5_000;
/**
 * A rebuild switches once it has caught up with the log's head within this long: then it
 * keeps up with the writes, and is at most this far behind when readers move to it.
 */
const KEEPING_UP_MS = 1_000;
/** A rebuild that has not reported for this long is taken to have died with its process. */
const STALE_AFTER_MS = 30_000;
const REPORT_EVERY_MS = 1_000;

interface ReadModelOptions {
  cache?: { maxDocuments: number; ttlMs: number };
  sharing?: MongoReadModel;
}

/** The generation the pointer names, followed: what a command service reads and a projector writes. */
export class MongoReadSide {
  readonly readModel: SwitchableReadModel<MongoReadModel>;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #looking: Promise<void> | undefined;
  /** Whether the last look at the pointer failed: said once, not twice a second. */
  #failing = false;

  private constructor(
    private readonly cluster: ClusterSettings,
    readonly generations: MongoGenerations,
    serving: MongoReadModel,
    private readonly options: ReadModelOptions,
    private readonly logger: Logger,
  ) {
    this.readModel = new SwitchableReadModel(serving);
  }

  static async open(cluster: ClusterSettings, options: ReadModelOptions, logger: Logger): Promise<MongoReadSide> {
    const generations = await MongoGenerations.connect(cluster.mongodbUrl, cluster.mongodbDatabase, cluster.mongodbTimeoutMs);
    const serving = await openGeneration(cluster, await generations.serving(), options);
    const side = new MongoReadSide(cluster, generations, serving, options, logger);
    side.#follow();
    return side;
  }

  /** A projector's notice: the document is in the read model (generations share what they know, and their waits). */
  notify(document: CustomerDocument | CustomerGroupDocument): void {
    this.readModel.serving.notify(document);
  }

  /**
   * Looks at the pointer now, switching if it moved. One look at a time: the timer's and a
   * rebuild's would otherwise both open the new generation and switch to it twice.
   */
  refresh(): Promise<void> {
    const looking = (this.#looking ?? Promise.resolve()).then(() => this.#refresh());
    const settled = looking.catch(() => undefined);
    this.#looking = settled;
    void settled.then(() => {
      if (this.#looking === settled) this.#looking = undefined;
    });
    return looking;
  }

  async #refresh(): Promise<void> {
    const generation = await this.generations.serving();
    if (this.#closed || generation === this.readModel.serving.generation) return;
    const next = await openGeneration(this.cluster, generation, { ...this.options, sharing: this.readModel.serving });
    if (this.#closed) return void (await next.close());
    const previous = this.readModel.switchTo(next);
    this.logger.info({ generation, previous: previous.generation }, "the read model's serving generation changed; following it");
    // Reads and writes already running on the previous generation finish before it closes.
    void this.readModel.idle(previous).then(() => previous.close());
  }

  #follow(): void {
    this.#timer = setTimeout(() => {
      this.refresh()
        .then(
          () => {
            if (this.#failing) this.logger.info({}, "the read model's generation pointer can be read again");
            this.#failing = false;
          },
          (error: unknown) => {
            if (!this.#failing) this.logger.warn({ err: error }, "could not read the read model's generation pointer; looking again twice a second");
            this.#failing = true;
          },
        )
        .finally(() => {
          if (!this.#closed) this.#follow();
        });
    }, FOLLOW_MS);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.readModel.close();
    await this.generations.close();
  }
}

function openGeneration(cluster: ClusterSettings, generation: number, options: ReadModelOptions): Promise<MongoReadModel> {
  return MongoReadModel.connect(cluster.mongodbUrl, cluster.mongodbDatabase, { ...options, timeoutMs: cluster.mongodbTimeoutMs, generation });
}

/** Rebuilds of the MongoDB read model, run by the command service asked for one. */
export class MongoRebuilds implements Projections {
  readonly #owner = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  #running: Promise<void> | undefined;
  #stopping = false;
  readonly #stopped = new Signal();

  constructor(
    private readonly settings: Settings,
    private readonly cluster: ClusterSettings,
    private readonly store: EventStore,
    private readonly side: MongoReadSide,
    private readonly logger: ProcessLogger,
  ) {}

  async list(): Promise<ProjectionView[]> {
    const { serving, rebuild } = await this.side.generations.status();
    const head = await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
    // MongoDB's documents keep no log position; the projectors' Kafka offsets do.
    return [{ id: PROJECTION_ID, generation: serving, position: null, head_position: head ?? null, rebuild }];
  }

  async rebuild(): Promise<ProjectionView> {
    const { generations } = this.side;
    const generation = await generations.claim(this.#owner, Date.now(), STALE_AFTER_MS);
    const head = await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
    const [first] = await this.store.readAll({ streamPrefixes: PUBLISHED_STREAM_PREFIXES, maxCount: 1 });
    const progress = new RebuildProgress(generation, head, Date.now(), first?.position);
    await generations.report(this.#owner, progress.view(Date.now()), Date.now());
    this.#running = this.#build(progress).finally(() => {
      this.#running = undefined;
    });
    return (await this.list())[0]!;
  }

  /**
   * Until the new generation keeps up with the log: it reaches the head as read now, again
   * and again, until reaching it took less than KEEPING_UP_MS. Under writes faster than it
   * projects it never switches (its progress says so), since readers moved to it then would
   * find documents older than the serving generation showed them.
   */
  async #catchUpWithHead(reached: () => GlobalPosition | undefined, batches: Signal, check: () => void): Promise<void> {
    for (;;) {
      const head = await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
      const started = Date.now();
      while (comparePositions(reached(), head) < 0) {
        check();
        await Promise.race([batches.next(), sleep(100), this.#stopped.next()]);
      }
      if (Date.now() - started <= KEEPING_UP_MS) return;
    }
  }

  async #build(progress: RebuildProgress): Promise<void> {
    const { generations } = this.side;
    const { generation } = progress;
    const serving = await generations.serving();
    this.logger.info({ generation, head_position: progress.head ?? null }, "rebuilding the read model into a new generation");
    let reached: GlobalPosition | undefined;
    const batches = new Signal();
    let lost = false;
    const report = setInterval(() => {
      void generations.report(this.#owner, progress.view(Date.now()), Date.now()).then(
        (held) => {
          if (!held) lost = true;
        },
        () => undefined,
      );
    }, REPORT_EVERY_MS);
    const check = () => {
      if (this.#stopping) throw new Error("the service is stopping");
      if (lost) throw new Error("another process took the rebuild over");
    };
    let next: MongoReadModel | undefined;
    let pipeline: Awaited<ReturnType<typeof startInProcessPipeline>> | undefined;
    try {
      await generations.drop(generation);
      next = await openGeneration(this.cluster, generation, {});
      pipeline = await startInProcessPipeline(this.store, next, this.settings, this.logger, {
        onBatch: (events, position) => {
          progress.projected(events, position, Date.now());
          if (position !== undefined) reached = position;
          batches.notify();
        },
      });
      await Promise.race([pipeline.caughtUp, this.#stopped.next()]);
      check();
      // Caught up with the log as it was when the rebuild began; writes made since are brought
      // in before the switch too, or a reader switched to the new generation could find a
      // document older than the one it just read in the old one.
      await this.#catchUpWithHead(() => reached, batches, check);
      progress.switching();
      if (!(await generations.switchServing(this.#owner, generation, progress.view(Date.now())))) throw new Error("another process took the rebuild over");
      await this.side.refresh();
      // Every process switches within FOLLOW_MS; until well after, this keeps the new generation up to date.
      await Promise.race([sleep(SWITCH_GRACE_MS), this.#stopped.next()]);
      const head = await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
      while (comparePositions(reached, head) < 0) {
        check();
        await Promise.race([batches.next(), sleep(100), this.#stopped.next()]);
      }
      await pipeline.stop();
      pipeline = undefined;
      await next.close();
      next = undefined;
      progress.done(Date.now());
      clearInterval(report);
      await generations.release(this.#owner, progress.view(Date.now()));
      this.logger.info({ generation, events: progress.view(Date.now()).events, ms: Date.now() - progress.startedAt }, "the rebuilt read model serves");
      await Promise.race([sleep(SWITCH_GRACE_MS), this.#stopped.next()]);
      await generations.drop(serving);
    } catch (error) {
      clearInterval(report);
      progress.failed(error, Date.now());
      this.logger.error({ err: error, generation }, "the read model rebuild failed");
      await pipeline?.stop().catch(() => undefined);
      await next?.close().catch(() => undefined);
      // Before the switch the new generation is dropped; after it, it serves and stays.
      if (progress.view(Date.now()).state !== "done" && (await generations.serving().catch(() => serving)) !== generation) await generations.drop(generation).catch(() => undefined);
      await generations.release(this.#owner, progress.view(Date.now())).catch(() => undefined);
    } finally {
      clearInterval(report);
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.notify();
    await this.#running;
  }
}
