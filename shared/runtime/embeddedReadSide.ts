/**
 * The embedded mode's read side: the generation of the SQLite read model that serves, the
 * in-process pipeline that keeps it up to date, and rebuilds of it without downtime.
 *
 * A rebuild opens a new generation (a file of its own) and a second pipeline that projects
 * the whole log into it while the serving one goes on answering. Once the new generation has
 * reached the head the log had when it started, the serving pipeline stops after its batch in
 * hand, the new one catches up with where that left the serving generation (it keeps
 * following the store meanwhile), and only then do readers switch: nothing they read later
 * is older than what they read before. Writes waiting for their revision move to the new
 * generation with the switch. The pointer file names the new generation before the old one's
 * files are removed, so a crash at any point restarts on a whole generation.
 */
import type { Publisher } from "../publisher/publisher.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import type { EventStore, GlobalPosition } from "../eventstore/port.js";
import { comparePositions } from "../eventstore/positions.js";
import type { Settings } from "../config.js";
import type { ProcessLogger } from "../logging.js";
import { PROJECTION_ID, type ProjectionView, type Projections, RebuildRunning } from "../readmodel/projections.js";
import { RebuildProgress } from "../readmodel/rebuildProgress.js";
import { SqliteReadModel } from "../readmodel/sqlite.js";
import { generationFile, recordServingGeneration, removeGeneration, removeOtherGenerations, servingGeneration } from "../readmodel/sqliteGenerations.js";
import { SwitchableReadModel } from "../readmodel/switchable.js";
import { Signal } from "../signal.js";
import { reportCatchUp } from "./catchUpProgress.js";
import { type InProcessPipeline, startInProcessPipeline } from "./inProcessPipeline.js";

export class EmbeddedReadSide implements Projections {
  readonly readModel: SwitchableReadModel<SqliteReadModel>;
  #generation: number;
  #pipeline: InProcessPipeline | undefined;
  #rebuild: RebuildProgress | undefined;
  #rebuilding: Promise<void> | undefined;
  #stopping = false;
  readonly #stopped = new Signal();

  private constructor(
    private readonly settings: Settings,
    private readonly store: EventStore,
    private readonly logger: ProcessLogger,
    generation: number,
    serving: SqliteReadModel,
  ) {
    this.#generation = generation;
    this.readModel = new SwitchableReadModel(serving);
  }

  /** The serving pipeline's publisher; undefined before start. */
  get publisher(): Publisher | undefined {
    return this.#pipeline?.publisher;
  }

  /** Opens the serving generation (removing what an unfinished rebuild left) without projecting yet. */
  static async open(settings: Settings, store: EventStore, logger: ProcessLogger): Promise<EmbeddedReadSide> {
    const generation = servingGeneration(settings.dataDir);
    const leftovers = removeOtherGenerations(settings.dataDir, generation);
    if (leftovers.length > 0) logger.info({ generations: leftovers }, "removed read-model generations an unfinished rebuild left");
    const serving = new SqliteReadModel(generationFile(settings.dataDir, generation), { cachedDocuments: settings.readCacheMaxDocuments });
    await serving.ready();
    // A read model ahead of an empty store is another store's: start it again.
    if ((await serving.projectedPosition()) !== undefined && (await store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES })) === undefined) await serving.reset();
    return new EmbeddedReadSide(settings, store, logger, generation, serving);
  }

  /** Brings the serving generation up to date with the store, then keeps it so. */
  async start(): Promise<void> {
    const report = reportCatchUp(this.logger, {
      generation: this.#generation,
      from: await this.readModel.serving.projectedPosition(),
      head: await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES }),
    });
    try {
      this.#pipeline = await startInProcessPipeline(this.store, this.readModel.serving, this.settings, this.logger, { onBatch: report.projected });
      await this.#pipeline.caughtUp;
    } finally {
      report.stop();
    }
  }

  async list(): Promise<ProjectionView[]> {
    return [
      {
        id: PROJECTION_ID,
        generation: this.#generation,
        position: (await this.readModel.projectedPosition()) ?? null,
        head_position: (await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES })) ?? null,
        rebuild: this.#rebuild?.view(Date.now()) ?? null,
      },
    ];
  }

  async rebuild(): Promise<ProjectionView> {
    if (this.#rebuilding) throw new RebuildRunning(this.#rebuild!.generation);
    const generation = this.#generation + 1;
    const head = await this.store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
    const [first] = await this.store.readAll({ streamPrefixes: PUBLISHED_STREAM_PREFIXES, maxCount: 1 });
    if (this.#rebuilding) throw new RebuildRunning(this.#rebuild!.generation);
    const progress = new RebuildProgress(generation, head, Date.now(), first?.position);
    this.#rebuild = progress;
    this.#rebuilding = this.#build(progress).finally(() => {
      this.#rebuilding = undefined;
    });
    return (await this.list())[0]!;
  }

  async #build(progress: RebuildProgress): Promise<void> {
    const { generation } = progress;
    const { dataDir } = this.settings;
    this.logger.info({ generation, head_position: progress.head ?? null }, "rebuilding the read model into a new generation");
    removeGeneration(dataDir, generation);
    const next = new SqliteReadModel(generationFile(dataDir, generation), { cachedDocuments: this.settings.readCacheMaxDocuments });
    const batches = new Signal();
    let nextPipeline: InProcessPipeline | undefined;
    let servingStopped = false;
    try {
      nextPipeline = await startInProcessPipeline(this.store, next, this.settings, this.logger, {
        onBatch: (events, position) => {
          progress.projected(events, position, Date.now());
          batches.notify();
        },
      });
      await Promise.race([nextPipeline.caughtUp, this.#stopped.next()]);
      this.#abortIfStopping();
      progress.switching();
      // The serving generation stops where it is; the new one catches up with it, then serves.
      await this.#pipeline?.stop();
      servingStopped = true;
      const reached = await this.readModel.serving.projectedPosition();
      await untilReached(next, reached, batches, this.#stopped.next(), () => this.#abortIfStopping());
      recordServingGeneration(dataDir, generation);
      const previous = this.readModel.switchTo(next);
      this.#pipeline = nextPipeline;
      const previousGeneration = this.#generation;
      this.#generation = generation;
      progress.done(Date.now());
      this.logger.info({ generation, events: progress.view(Date.now()).events, ms: Date.now() - progress.startedAt }, "the rebuilt read model serves");
      // Reads already running on the old generation finish before it closes and its files go.
      await this.readModel.idle(previous);
      await previous.close();
      removeGeneration(dataDir, previousGeneration);
    } catch (error) {
      progress.failed(error, Date.now());
      this.logger.error({ err: error, generation }, "the read model rebuild failed; the serving generation goes on");
      await nextPipeline?.stop().catch(() => undefined);
      await next.close().catch(() => undefined);
      removeGeneration(dataDir, generation);
      // The serving generation follows the store again from where it stopped.
      if (servingStopped && !this.#stopping) this.#pipeline = await startInProcessPipeline(this.store, this.readModel.serving, this.settings, this.logger);
    }
  }

  #abortIfStopping(): void {
    if (this.#stopping) throw new Error("the service is stopping");
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#stopped.notify();
    await this.#rebuilding;
    await this.#pipeline?.stop();
    await this.readModel.close();
  }
}

/** Resolves once `readModel` has projected up to `position` (at once when there is none). */
async function untilReached(readModel: SqliteReadModel, position: GlobalPosition | undefined, batches: Signal, stopped: Promise<void>, check: () => void): Promise<void> {
  for (;;) {
    const batch = batches.next();
    if (comparePositions(await readModel.projectedPosition(), position) >= 0) return;
    check();
    await Promise.race([batch, stopped]);
  }
}
