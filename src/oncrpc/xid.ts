/**
 * Transaction ids (RFC 5531 §9: "the xid ... is only used for clients matching reply messages
 * with call messages or for servers detecting retransmissions").
 *
 * A client starts at a random point (so that a restarted client does not reuse the xids its
 * previous incarnation had in a server's duplicate-request cache) and counts up, one per call;
 * retransmissions reuse the call's xid. Pure: the randomness comes in through `Random`.
 */
import type { Random } from "../io/index.js";

/** A source of xids for one client. */
export interface XidSource {
  /** The next xid; skips any for which `inUse` is true (at most 2^32 tries, never in practice). */
  next(inUse?: (xid: number) => boolean): number;
}

/** Creates an {@link XidSource} starting at a random 32-bit value. */
export function createXidSource(random: Random): XidSource {
  let xid = random.nextU32() >>> 0;
  return {
    next(inUse) {
      for (let i = 0; i < 0x1_0000_0000; i++) {
        xid = (xid + 1) >>> 0;
        if (inUse === undefined || !inUse(xid)) return xid;
      }
      throw new Error("every xid is in use");
    },
  };
}
