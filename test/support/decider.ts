/**
 * Given/when/then for deciders: `spec.given(pastEvents).when(command).then(newEvents)`
 * or `.thenThrows(ErrorClass)`. The state is folded from the given events with `evolve`.
 *
 * Every state, event and command is frozen on the way: writes share cached states
 * (shared/application/streamStateCache.ts), so a decider or evolver that changed one in place
 * would corrupt later writes. In these strict-mode modules such a change throws.
 */
import type { Test } from "tap";

export interface Decider<Command, Event, State> {
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
  initialState: () => State;
}

export function deciderSpec<Command, Event, State>(t: Test, decider: Decider<Command, Event, State>) {
  return {
    given(events: Event[]) {
      const state = events.reduce((folded, event) => deepFreeze(decider.evolve(folded, deepFreeze(event))), deepFreeze(decider.initialState()));
      return {
        when(command: Command) {
          const run = () => decider.decide(deepFreeze(command), state);
          return {
            then(expected: Event[]) {
              t.same(run(), expected);
            },
            thenThrows(errorClass: new (...args: never[]) => Error, message?: string) {
              t.throws(run, message === undefined ? errorClass : Object.assign(new Error(message), { name: errorClass.name }));
            },
          };
        },
      };
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value) || value instanceof Date) return value;
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<string | symbol, unknown>)[key]);
  return Object.freeze(value);
}
