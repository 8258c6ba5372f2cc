/**
 * Brute-force limiting of password logins: failures are counted per email and per client
 * address in a fixed window that starts at the first failure. Once either count reaches
 * its limit, logins for that email (or from that client) are refused until the window
 * ends, without checking the password, so guessing during the pause learns nothing. A
 * successful login clears its email's count. Kept in the process's memory: with several
 * command services each counts on its own, so the limits hold per instance.
 */
export interface LoginThrottleOptions {
  maxFailuresPerEmail: number;
  maxFailuresPerClient: number;
  windowMs: number;
  clock?: () => number;
  /** Most keys remembered; the oldest are forgotten first, so memory stays bounded. */
  maxKeys?: number;
}

interface Window {
  failures: number;
  endsAt: number;
}

export class LoginThrottle {
  readonly #windows = new Map<string, Window>();
  readonly #clock: () => number;
  readonly #maxKeys: number;

  constructor(private readonly options: LoginThrottleOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Milliseconds until a login may be tried again, or 0 when it may be tried now. */
  retryAfterMs(email: string, client: string): number {
    return Math.max(this.#blockedFor(`email:${email}`, this.options.maxFailuresPerEmail), this.#blockedFor(`client:${client}`, this.options.maxFailuresPerClient));
  }

  failed(email: string, client: string): void {
    this.#count(`email:${email}`);
    this.#count(`client:${client}`);
  }

  succeeded(email: string): void {
    this.#windows.delete(`email:${email}`);
  }

  #blockedFor(key: string, max: number): number {
    const window = this.#current(key);
    return window && window.failures >= max ? window.endsAt - this.#clock() : 0;
  }

  #current(key: string): Window | undefined {
    const window = this.#windows.get(key);
    if (window && window.endsAt <= this.#clock()) {
      this.#windows.delete(key);
      return undefined;
    }
    return window;
  }

  #count(key: string): void {
    const window = this.#current(key);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.#windows.size >= this.#maxKeys) this.#windows.delete(this.#windows.keys().next().value!);
    this.#windows.set(key, { failures: 1, endsAt: this.#clock() + this.options.windowMs });
  }
}

/** Too many failed logins; the HTTP layer answers 429 with Retry-After. */
export class TooManyLoginAttempts extends Error {
  override readonly name = "TooManyLoginAttempts";
  constructor(readonly retryAfterMs: number) {
    super("Too many failed login attempts. Try again later.");
  }
}
