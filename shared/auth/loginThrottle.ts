/**
 * Brute-force limiting of password logins that slows a guesser without locking the real
 * admin out:
 * - per email and client address: the first `maxFailuresPerEmail` failures are free; each
 *   later one doubles the wait before the next try (1 s, 2 s, 4 s, ... up to `windowMs`),
 *   counted from the last failure. Another client, with no failures for that email (the real
 *   admin at their own desk), is not held back by someone else's guessing;
 * - per client address: `maxFailuresPerClient` failures within `windowMs` (a client trying
 *   many emails) pause that client until the window ends.
 * A refused try is answered without checking the password, so guessing during a wait learns
 * nothing; a success clears its email's count for that client. An email's failures are
 * forgotten after twice `windowMs` without one (longer than the longest wait, so that waiting
 * it out does not earn new free tries). Kept in the process's memory: with several command services each
 * counts on its own, so the limits hold per instance.
 */
import { Failure } from "../errors.js";
export interface LoginThrottleOptions {
  maxFailuresPerEmail: number;
  maxFailuresPerClient: number;
  windowMs: number;
  clock?: () => number;
  /** Most keys remembered; the oldest are forgotten first, so memory stays bounded. */
  maxKeys?: number;
}

interface Failures {
  count: number;
  firstAt: number;
  lastAt: number;
}

/** The first wait once the free failures are used up; it doubles with each further failure. */
const FIRST_DELAY_MS = 1_000;

export class LoginThrottle {
  readonly #failures = new Map<string, Failures>();
  readonly #clock: () => number;
  readonly #maxKeys: number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Milliseconds until a login may be tried again, or 0 when it may be tried now. */
  retryAfterMs(email: string, client: string): number {
    const now = this.#clock();
    const { maxFailuresPerEmail, maxFailuresPerClient, windowMs } = this.options;
    const byClient = this.#current(clientKey(client), now);
    const clientWait = byClient && byClient.count >= maxFailuresPerClient ? byClient.firstAt + windowMs - now : 0;
    const byPair = this.#current(pairKey(email, client), now);
    const beyond = byPair ? byPair.count - maxFailuresPerEmail : -1;
    const pairWait = beyond >= 0 ? byPair!.lastAt + Math.min(windowMs, FIRST_DELAY_MS * 2 ** Math.min(beyond, 30)) - now : 0;
    return Math.max(0, clientWait, pairWait);
  }

  failed(email: string, client: string): void {
    const now = this.#clock();
    this.#count(pairKey(email, client), now);
    this.#count(clientKey(client), now);
  }

  succeeded(email: string, client: string): void {
    this.#failures.delete(pairKey(email, client));
  }

  /** The failures under `key`, unless they are forgotten. */
  #current(key: string, now: number): Failures | undefined {
    const failures = this.#failures.get(key);
    if (!failures) return undefined;
    // A client's count is a fixed window from its first failure; an email's is forgotten
    // after a quiet time longer than the longest wait.
    const forgottenAt = key.startsWith("client:") ? failures.firstAt + this.options.windowMs : failures.lastAt + 2 * this.options.windowMs;
    if (forgottenAt > now) return failures;
    this.#failures.delete(key);
    return undefined;
  }

  #count(key: string, now: number): void {
    const failures = this.#current(key, now);
    if (failures) {
      failures.count += 1;
      failures.lastAt = now;
      return;
    }
    if (this.#failures.size >= this.#maxKeys) this.#failures.delete(this.#failures.keys().next().value!);
    this.#failures.set(key, { count: 1, firstAt: now, lastAt: now });
  }
}

const pairKey = (email: string, client: string): string => `pair:${client}\n${email}`;
const clientKey = (client: string): string => `client:${client}`;

/** Too many failed logins; the HTTP layer answers 429 with Retry-After. */
export class TooManyLoginAttempts extends Failure {
  override readonly name = "TooManyLoginAttempts";
  readonly kind = "throttled";
  constructor(override readonly retryAfterMs: number) {
    super("Too many failed login attempts. Try again later.");
  }
}
