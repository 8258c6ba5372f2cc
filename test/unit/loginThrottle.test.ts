import t from "tap";
import { LoginThrottle } from "../../shared/auth/loginThrottle.js";

function throttle(options: Partial<ConstructorParameters<typeof LoginThrottle>[0]> = {}) {
  let now = 0;
  const limiter = new LoginThrottle({ maxFailuresPerEmail: 3, maxFailuresPerClient: 10, windowMs: 1000, clock: () => now, ...options });
  return { limiter, advance: (ms: number) => (now += ms) };
}

t.test("an email is paused after its failures, until the window ends", async (t) => {
  const { limiter, advance } = throttle();
  for (let i = 0; i < 3; i += 1) {
    t.equal(limiter.retryAfterMs("a@x", "ip1"), 0);
    limiter.failed("a@x", "ip1");
    advance(100);
  }
  t.equal(limiter.retryAfterMs("a@x", "ip2"), 700, "from any client, until 1000 ms after the first failure");
  t.equal(limiter.retryAfterMs("b@x", "ip1"), 0, "other emails are not affected");
  advance(700);
  t.equal(limiter.retryAfterMs("a@x", "ip1"), 0, "the window expires");
  limiter.failed("a@x", "ip1");
  t.equal(limiter.retryAfterMs("a@x", "ip1"), 0, "and counting starts again");
});

t.test("a success clears the email's count", async (t) => {
  const { limiter } = throttle();
  limiter.failed("a@x", "ip");
  limiter.failed("a@x", "ip");
  limiter.succeeded("a@x");
  limiter.failed("a@x", "ip");
  limiter.failed("a@x", "ip");
  t.equal(limiter.retryAfterMs("a@x", "ip"), 0);
});

t.test("a client trying many emails is paused too", async (t) => {
  const { limiter } = throttle({ maxFailuresPerClient: 4 });
  for (let i = 0; i < 4; i += 1) limiter.failed(`user${i}@x`, "ip1");
  t.equal(limiter.retryAfterMs("new@x", "ip1"), 1000);
  t.equal(limiter.retryAfterMs("new@x", "ip2"), 0);
});

t.test("memory stays bounded", async (t) => {
  const { limiter } = throttle({ maxKeys: 10, maxFailuresPerEmail: 1 });
  for (let i = 0; i < 100; i += 1) limiter.failed(`user${i}@x`, `ip${i}`);
  t.equal(limiter.retryAfterMs("user0@x", "other"), 0, "the oldest keys were forgotten");
  t.equal(limiter.retryAfterMs("user99@x", "other"), 1000);
});
