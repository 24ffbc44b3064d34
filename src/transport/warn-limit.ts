/**
 * Warnings an attacker can trigger at will (refused replies, failed TLS handshakes) are logged at
 * most once per interval, with the number of like events since the last one, so a flood cannot
 * flood the log too.
 */
import type { Clock } from "../io/index.js";
import type { Logger } from "../runtime/logger.js";

/** See the module comment. */
export class WarnLimit {
  private lastAt = Number.NEGATIVE_INFINITY;
  private pending = 0;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs = 10_000,
  ) {}

  /** Counts one event; logs `message(n)` (n: events since the last warning) if the interval passed. */
  warn(logger: Logger, message: (n: number) => string): void {
    this.pending++;
    const now = this.clock.now();
    if (now - this.lastAt < this.intervalMs) return;
    this.lastAt = now;
    const n = this.pending;
    this.pending = 0;
    logger.warn(message(n));
  }
}
