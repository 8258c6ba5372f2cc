import t from "tap";
import { LoginThrottle } from "../../shared/auth/loginThrottle.js";

function throttle(options: Partial<ConstructorParameters<typeof LoginThrottle>[0]> = {}) {
  let now = 0;
  const limiter = new LoginThrottle({ maxFailuresPerEmail: 3, maxFailuresPerClient: 100, windowMs: 60_000, clock: () => now, ...options });
  return { limiter, advance: (ms: number) => (now += ms) };
}

t.test("a guesser's free failures, then a wait that doubles with each further failure", async (t) => {
  const { limiter, advance } = throttle();
  for (let i = 0; i < 3; i += 1) {
    t.equal(limiter.retryAfterMs("a@x", "ip1"), 0, `free failure ${i + 1}`);
    limiter.failed("a@x", "ip1");
  }
  const waits = [];
  for (let i = 0; i < 5; i += 1) {
    const wait = limiter.retryAfterMs("a@x", "ip1");
    waits.push(wait);
    advance(wait);
    t.equal(limiter.retryAfterMs("a@x", "ip1"), 0, "may try once the wait is over");
    limiter.failed("a@x", "ip1");
  }
  t.same(waits, [1000, 2000, 4000, 8000, 16000]);
  for (let i = 0; i < 5; i += 1) {
    advance(limiter.retryAfterMs("a@x", "ip1"));
    limiter.failed("a@x", "ip1");
  }
  t.equal(limiter.retryAfterMs("a@x", "ip1"), 60_000, "never more than the window");
  advance(60_000);
  limiter.failed("a@x", "ip1");
  t.equal(limiter.retryAfterMs("a@x", "ip1"), 60_000, "and a guesser who waits it out stays at the longest wait");
});

t.test("the real admin at another address is not held back by someone else's guessing", async (t) => {
  const { limiter } = throttle();
  for (let i = 0; i < 20; i += 1) limiter.failed("admin@x", "attacker");
  t.ok(limiter.retryAfterMs("admin@x", "attacker") > 0, "the guesser waits");
  t.equal(limiter.retryAfterMs("admin@x", "office"), 0, "the admin logs in at once");
  limiter.failed("admin@x", "office");
  t.equal(limiter.retryAfterMs("admin@x", "office"), 0, "and a typo of theirs costs them nothing yet");
});

t.test("a success clears that client's count for the email; failures are forgotten after a quiet time", async (t) => {
  const { limiter, advance } = throttle();
  for (let i = 0; i < 4; i += 1) limiter.failed("a@x", "ip");
  t.ok(limiter.retryAfterMs("a@x", "ip") > 0);
  limiter.succeeded("a@x", "ip");
  t.equal(limiter.retryAfterMs("a@x", "ip"), 0, "cleared by the success");
  for (let i = 0; i < 4; i += 1) limiter.failed("b@x", "ip");
  advance(60_000);
  t.ok(limiter.retryAfterMs("b@x", "ip") === 0 && (limiter.failed("b@x", "ip"), limiter.retryAfterMs("b@x", "ip") > 0), "waiting out the wait earns no new free tries");
  advance(120_000);
  t.equal(limiter.retryAfterMs("b@x", "ip"), 0, "forgotten two windows after the last failure");
  limiter.failed("b@x", "ip");
  t.equal(limiter.retryAfterMs("b@x", "ip"), 0, "counting starts again from the free failures");
});

t.test("a client trying many emails is paused until its window ends; others are not", async (t) => {
  const { limiter, advance } = throttle({ maxFailuresPerClient: 4 });
  for (let i = 0; i < 4; i += 1) {
    limiter.failed(`user${i}@x`, "ip1");
    advance(1000);
  }
  t.equal(limiter.retryAfterMs("new@x", "ip1"), 56_000, "until 60 s after its first failure");
  t.equal(limiter.retryAfterMs("new@x", "ip2"), 0);
  advance(56_000);
  t.equal(limiter.retryAfterMs("new@x", "ip1"), 0);
});

t.test("memory stays bounded", async (t) => {
  const { limiter } = throttle({ maxKeys: 10, maxFailuresPerEmail: 1 });
  for (let i = 0; i < 100; i += 1) limiter.failed(`user${i}@x`, `ip${i}`);
  t.equal(limiter.retryAfterMs("user0@x", "ip0"), 0, "the oldest keys were forgotten");
  t.equal(limiter.retryAfterMs("user99@x", "ip99"), 1000);
});
