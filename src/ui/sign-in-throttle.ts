/** Wrong admin tokens one address may try in a window before sign-in refuses it for a while. */
export const SIGN_IN_ATTEMPTS = 10;
export const SIGN_IN_WINDOW_MS = 60_000;
const MAX_TRACKED = 10_000;

/**
 * Slows down guessing the admin token: after SIGN_IN_ATTEMPTS wrong tokens from one address in a
 * window, sign-in from there is refused (429) until the window ends. In memory, per process.
 */
export class SignInThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Milliseconds until this address may try again, or 0 when it may try now. */
  waitFor(address: string): number {
    const entry = this.failures.get(address);
    if (entry === undefined) return 0;
    const left = entry.since + SIGN_IN_WINDOW_MS - this.clock();
    if (left <= 0) {
      this.failures.delete(address);
      return 0;
    }
    return entry.count >= SIGN_IN_ATTEMPTS ? left : 0;
  }

  failed(address: string): void {
    const now = this.clock();
    const entry = this.failures.get(address);
    if (entry === undefined || now - entry.since > SIGN_IN_WINDOW_MS) {
      if (this.failures.size >= MAX_TRACKED) this.failures.clear(); // never grows without bound
      this.failures.set(address, { count: 1, since: now });
    } else {
      entry.count++;
    }
  }

  succeeded(address: string): void {
    this.failures.delete(address);
  }
}
