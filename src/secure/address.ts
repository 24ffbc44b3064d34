/** The address key the secure layer uses for rate limits, cookies and amplification accounting. */
import type { Endpoint } from "../io/datagram.js";

/**
 * A string naming a UDP source (`IPv4/192.0.2.1/5000`). Cookies are bound to it, so it must
 * include the port: two clients behind one NAT address are different sources.
 */
export function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.family}/${endpoint.address}/${endpoint.port}`;
}
