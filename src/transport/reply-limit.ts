/**
 * The reply-amplification limit of the ONC RPC UDP server (the portmapper DDoS lesson: US-CERT
 * TA14-017A lists portmap with a bandwidth amplification factor of 7–28; Rossow, "Amplification
 * Hell", NDSS 2014, defines the factor as reply over request UDP payload).
 *
 * Over UDP a source address is a claim: anyone can send a small call "from" a victim's address
 * and have the server hit the victim with the reply. ONC RPC over UDP has no way to prove an
 * address (AUTH_NONE and AUTH_SYS prove nothing), so every UDP request counts as
 * unauthenticated, and the server answers it with at most `maxReplyRatio` times the request's
 * UDP payload. A bigger reply is not sent; the caller gets SYSTEM_ERR (24 bytes, smaller than any
 * call) so an honest client learns at once instead of timing out, and the server counts it and
 * logs (at most once per `warnIntervalMs`). Sources in `exempt` are not limited: by default
 * loopback, which cannot be spoofed from another host (the kernel drops packets arriving from
 * outside with a loopback source).
 *
 * Why 4: the binder's answers to lookups must fit. RPCBIND GETADDRLIST (what Lupine's
 * `rpcbind://` lookups ask) for a program a Lupine server registered on `udp`, `tcp`, `udp6` and
 * `tcp6` with wildcard addresses is 228 bytes for a 64-byte call (3.6×); GETVERSADDR, GETADDR and
 * GETPORT (what libtirpc clients ask) answer with less than they are asked. 4 is the smallest
 * whole factor that lets those through, while a DUMP of a dozen registrations (the classic
 * portmapper amplifier) is refused. Lists with long specific addresses can pass 4× (4.4× for four
 * transports on `192.168.100.200` and `fd00:1234:5678::abcd`); Lupine's lookup then falls back to
 * GETPORT. QUIC (RFC 9000 §8) uses 3 for unvalidated addresses. Calls with legitimately large
 * replies (READ, DUMP, GETSTAT) belong on TCP, or on UDP only from `exempt` networks.
 */
import type { Clock } from "../io/index.js";
import type { Logger } from "../runtime/logger.js";
import { LOOPBACK_NETWORKS, NetworkSet } from "../runtime/networks.js";
import { WarnLimit } from "./warn-limit.js";

/** Options of {@link ReplyLimit}. */
export interface ReplyLimitOptions {
  /** Largest reply, as a multiple of the request's UDP payload; default 4. `Infinity`: no limit. */
  readonly maxReplyRatio?: number;
  /** Source networks not limited (`runtime/networks.ts` syntax); default loopback. */
  readonly exempt?: readonly string[];
  /** Least time between two warnings (ms); default 10 000. */
  readonly warnIntervalMs?: number;
}

/** See the module comment. */
export class ReplyLimit {
  readonly maxReplyRatio: number;
  private readonly exempt: NetworkSet;
  private readonly warnIntervalMs: number;
  private warnLimit: WarnLimit | undefined;

  /** Throws a `TypeError` for a ratio below 1 or a malformed network. */
  constructor(options: ReplyLimitOptions = {}) {
    this.maxReplyRatio = options.maxReplyRatio ?? 4;
    if (!(this.maxReplyRatio >= 1)) {
      throw new TypeError(`maxReplyRatio must be at least 1, not ${options.maxReplyRatio}`);
    }
    this.exempt = new NetworkSet(options.exempt ?? LOOPBACK_NETWORKS);
    this.warnIntervalMs = options.warnIntervalMs ?? 10_000;
  }

  /** Whether a reply of `replyBytes` may answer a request of `requestBytes` from `address`. */
  allows(requestBytes: number, replyBytes: number, address: string): boolean {
    return replyBytes <= requestBytes * this.maxReplyRatio || this.exempt.has(address);
  }

  /** Logs a refused reply, at most once per interval (with the count since the last warning). */
  warn(
    logger: Logger,
    clock: Clock,
    refused: { requestBytes: number; replyBytes: number; from: string },
  ): void {
    this.warnLimit ??= new WarnLimit(clock, this.warnIntervalMs);
    this.warnLimit.warn(
      logger,
      (n) =>
        `UDP reply amplification limit: ${n} repl${n === 1 ? "y" : "ies"} replaced by SYSTEM_ERR ` +
        `(latest: ${refused.replyBytes} bytes for a ${refused.requestBytes}-byte call from ` +
        `${refused.from}, limit ${this.maxReplyRatio}x); use TCP for large replies, or exempt ` +
        "trusted networks (udp.amplification.exempt)",
    );
  }
}
