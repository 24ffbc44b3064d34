/** Opening ONC RPC client transports by address in tests. */

import { LazyTransport } from "../../src/connect/balance.js";
import { openTcpClient, openUdpClient } from "../../src/connect/schemes.js";
import type { Endpoint } from "../../src/io/index.js";
import { nodeClock } from "../../src/io/node/clock.js";
import { nodeRandom } from "../../src/io/node/random.js";
import type { ClientTransport } from "../../src/runtime/transport.js";

/** A client transport to `host:port` over `protocol` (opened on the first call). */
export function oncTransport(
  protocol: "udp" | "tcp",
  port: number,
  host = "127.0.0.1",
): ClientTransport {
  const to: Endpoint = { address: host, port, family: host.includes(":") ? "IPv6" : "IPv4" };
  const context = { options: {}, clock: nodeClock, random: nodeRandom };
  return protocol === "udp"
    ? new LazyTransport("udp", () => openUdpClient(to, context), nodeClock)
    : openTcpClient(to, context);
}
