/**
 * The default datagram size of Lupine's transport for a destination: the largest UDP payload
 * that crosses the path unfragmented, as far as can be told from the address alone (no path MTU
 * probing). Loopback's MTU is 65,536 here and in Linux generally, so to a loopback address a
 * datagram may be as large as UDP allows — 65,507 bytes over IPv4 (65,535 − 20 − 8), 65,488 over
 * IPv6 (65,536 − 40 − 8) — which cuts the per-datagram costs of a bulk transfer (syscalls,
 * checksums, acknowledgements) about 45-fold against Ethernet-sized datagrams. Anything else gets
 * an Ethernet MTU of 1500: 1,472 bytes over IPv4, 1,452 over IPv6. `maxDatagramBytes` overrides
 * it (jumbo-frame LANs: 8,972 for an MTU of 9000).
 */
import type { Endpoint } from "../io/datagram.js";

/** Largest datagram to `to` by default, bytes (see the module comment). */
export function defaultDatagramBytes(to: Endpoint): number {
  const a = to.address.toLowerCase();
  const v4 = a.startsWith("::ffff:") ? a.slice(7) : a;
  if (v4.startsWith("127.") && !v4.includes(":")) return 65_507;
  if (a === "::1" || a === "0:0:0:0:0:0:0:1") return to.family === "IPv6" ? 65_488 : 65_507;
  return to.family === "IPv6" && !a.startsWith("::ffff:") ? 1452 : 1472;
}
