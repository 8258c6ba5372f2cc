/**
 * The embedded mode's pipeline: store -> publisher -> in-process bus -> projector -> a read
 * model, following the store from the position that read model has reached.
 */
import { InProcessBus } from "../bus/inProcess.js";
import type { CheckpointStore } from "../checkpoints/port.js";
import type { Settings } from "../config.js";
import { PUBLISHED_STREAM_PREFIXES } from "../events/publishedStreams.js";
import type { EventStore } from "../eventstore/port.js";
import type { ProcessLogger } from "../logging.js";
import { Publisher } from "../publisher/publisher.js";
import { PROJECTOR_GROUP, Projector } from "../readmodel/projector.js";
import type { CustomerReadModel } from "../readmodel/port.js";

export interface InProcessPipeline {
  /** Settles once the read model holds everything the store held when the pipeline started. */
  caughtUp: Promise<void>;
  /** The publisher onto the in-process bus, for GET /ready and the metrics. */
  publisher: Publisher;
  /** Stops following the store once the batch being projected is stored. */
  stop(): Promise<void>;
}

/**
 * Store -> publisher -> in-process bus -> projector -> `readModel`, from the position the read
 * model has reached (the beginning of the log for one that keeps none), following the store
 * until stopped.
 */
export async function startInProcessPipeline(
  store: EventStore,
  readModel: CustomerReadModel,
  settings: Settings,
  logger: ProcessLogger,
  options: { onBatch?: (events: number, position: string | undefined) => void } = {},
): Promise<InProcessPipeline> {
  const bus = new InProcessBus();
  const projector = new Projector({ bus, readModel, topic: settings.eventsTopic, groupId: PROJECTOR_GROUP, logger, onBatch: options.onBatch });
  const from = await readModel.projectedPosition();
  // The read model's own position is the publisher's checkpoint: it moves with each batch
  // the projector commits, so nothing the bus lost in a crash is skipped.
  const checkpoints: CheckpointStore = { load: async () => from, save: async () => undefined, close: async () => undefined };
  const publisher = new Publisher({
    store,
    bus,
    checkpoints,
    topic: settings.eventsTopic,
    streamPrefixes: PUBLISHED_STREAM_PREFIXES,
    logger,
  });
  const head = await store.headPosition({ streamPrefixes: PUBLISHED_STREAM_PREFIXES });
  const rebuilt = head === undefined || head === from ? Promise.resolve() : projector.caughtUpTo(head);
  await projector.start();
  await publisher.start();
  return {
    caughtUp: rebuilt,
    publisher,
    async stop() {
      await publisher.stop();
      await projector.stop();
      await bus.close();
    },
  };
}
