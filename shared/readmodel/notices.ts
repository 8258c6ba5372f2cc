/**
 * Read-model notices: after the projector stores documents it announces each one (id,
 * revision and the document as stored) on a bus topic; every command-service process follows
 * that topic (each with a group of its own, from the newest message) to wake the writes
 * waiting for their revision and to keep its copy of recent documents. This makes
 * read-your-writes event-driven across processes without reading MongoDB back. Notices are a
 * hint: a lost one only makes a write wait out READ_MODEL_WAIT_MS.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { BusSubscription, MessageBus } from "../bus/port.js";
import type { Logger } from "../logger.js";

import type { CustomerDocument } from "./customerDocument.js";
import type { CustomerGroupDocument } from "./customerGroupDocument.js";

export interface ReadModelNotice {
  id: string;
  revision: number;
  /** A customer's or a group's document (their ids' prefixes tell them apart). */
  document: CustomerDocument | CustomerGroupDocument;
}

export class ReadModelNoticePublisher {
  constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
    private readonly logger: Logger,
  ) {}

  async announce(notices: ReadModelNotice[]): Promise<void> {
    if (notices.length === 0) return;
    try {
      await this.bus.publish(
        this.topic,
        notices.map((notice) => ({ key: notice.id, headers: {}, value: JSON.stringify(notice) })),
      );
    } catch (error) {
      this.logger.warn({ err: error, notices: notices.length }, "could not announce read-model updates; waiting writes will time out");
    }
  }
}

export async function followReadModelNotices(
  bus: MessageBus,
  topic: string,
  onNotice: (notice: ReadModelNotice) => void,
): Promise<BusSubscription> {
  const groupId = `customers-command-${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  return bus.subscribe({ topic, groupId, fromBeginning: false }, async (messages) => {
    for (const message of messages) {
      try {
        const notice = JSON.parse(message.value) as ReadModelNotice;
        if (typeof notice.id === "string" && typeof notice.revision === "number" && notice.document?.id === notice.id) onNotice(notice);
      } catch {
        // Not a notice: nothing to wake.
      }
    }
  });
}
