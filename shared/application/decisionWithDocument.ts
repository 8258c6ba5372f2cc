/**
 * What a write folds from a customer or group stream: the decider's state, and the document
 * the API answers with when the read model is behind (the read model's own projection, so the
 * two always agree). Both are cached together by revision.
 */
import type { Aggregate } from "./loadStream.js";

export interface DecisionWithDocument<State, Document> {
  decision: State;
  document: Document | null;
}

export function decisionWithDocument<State, Event, Document>(
  kind: string,
  decider: { evolve: (state: State, event: Event) => State; initialState: () => State },
  project: (document: Document | null, event: Event, revision: number) => Document | null,
): Aggregate<DecisionWithDocument<State, Document>, Event> & { kind: string } {
  return {
    kind,
    initialState: () => ({ decision: decider.initialState(), document: null }),
    evolve: (state, event, revision) => ({ decision: decider.evolve(state.decision, event), document: project(state.document, event, revision) }),
  };
}
