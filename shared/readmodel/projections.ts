/**
 * What the API tells of the read model's projection and how it asks for a rebuild
 * (`GET /admin/projections`, `POST /admin/projections/rebuild`); each mode that can rebuild
 * its read model without downtime implements it (shared/runtime/embeddedReadSide.ts).
 */
import { Failure } from "../errors.js";
import type { GlobalPosition } from "../eventstore/port.js";
import type { RebuildView } from "./rebuildProgress.js";

/** The projection's name: the read model of customers and groups. */
export const PROJECTION_ID = "customers";

export interface ProjectionView {
  /** The projection's name: the read model of customers and groups. */
  id: string;
  /** The generation of documents serving reads. */
  generation: number;
  /** The log position the serving generation has reached (null when it keeps none, or has none yet). */
  position: GlobalPosition | null;
  /** The newest position of the events it projects. */
  head_position: GlobalPosition | null;
  /** The rebuild running, or the last one since the process started (null: none). */
  rebuild: RebuildView | null;
}

export interface Projections {
  list(): Promise<ProjectionView[]>;
  /** Starts building a new generation beside the serving one; throws RebuildRunning while one is. */
  rebuild(): Promise<ProjectionView>;
}

export class RebuildRunning extends Failure {
  override readonly name = "RebuildRunning";
  readonly kind = "conflict";
  override readonly publicMessage: string;
  constructor(generation: number) {
    super(`A rebuild of the read model is already running (generation ${generation}); follow it at GET /admin/projections.`);
    this.publicMessage = this.message;
  }
}
