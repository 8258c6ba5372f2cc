/**
 * Given/when/then for deciders: `spec.given(pastEvents).when(command).then(newEvents)`
 * or `.thenThrows(ErrorClass)`. The state is folded from the given events with `evolve`.
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
      const state = events.reduce(decider.evolve, decider.initialState());
      return {
        when(command: Command) {
          const run = () => decider.decide(command, state);
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
