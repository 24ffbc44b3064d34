/**
 * Starting Lupine's binder (see `server.ts`): one Lupine server listening on UDP and TCP (port
 * 111 by default, IPv4 and, when asked, IPv6) with the port mapper and RPCBIND programs
 * registered, and its own registrations in its table as the system rpcbind lists them.
 */

import { hostPort } from "../connect/targets.js";
import { createServer, type Server, type ServerOptions } from "../connect.js";
import type { RemoteAddress } from "../runtime/context.js";
import { PMAP_PORT, PmapProgV2, RpcbprogV3, RpcbprogV4 } from "./gen/rpcbind.js";
import type { Registry } from "./registry.js";
import { createRpcbindService } from "./server.js";
import { netidOf, toUaddr } from "./uaddr.js";

/** Options of {@link startRpcbind}. */
export interface RpcbindDaemonOptions extends ServerOptions {
  /** Addresses to listen on; default `["0.0.0.0", "::"]` (IPv6 where the host has it). */
  readonly hosts?: readonly string[];
  /** Port; default 111. */
  readonly port?: number;
  /** Accept SET/UNSET from any host (default false: loopback only). */
  readonly allowRemoteSet?: boolean;
  /** Networks SET/UNSET are accepted from; default loopback (`127.0.0.0/8`, `::1`). */
  readonly setAllowedFrom?: readonly string[];
  /** Seconds since 1970 for GETTIME. */
  readonly wallClockSeconds: () => number;
}

/** A running binder. */
export interface RpcbindDaemon {
  readonly server: Server;
  readonly registry: Registry;
  /** Bound addresses: UDP then TCP per host. */
  readonly addresses: readonly RemoteAddress[];
  close(): Promise<void>;
}

/** Starts a binder; see the module comment. */
export async function startRpcbind(options: RpcbindDaemonOptions): Promise<RpcbindDaemon> {
  const service = createRpcbindService({
    wallClockSeconds: options.wallClockSeconds,
    ...(options.allowRemoteSet === undefined ? {} : { allowRemoteSet: options.allowRemoteSet }),
    ...(options.setAllowedFrom === undefined ? {} : { setAllowedFrom: options.setAllowedFrom }),
  });
  const server = createServer({
    ...options,
    rpcbind: false,
    closeGraceMs: options.closeGraceMs ?? 500,
  });
  server
    .register(PmapProgV2, service.v2)
    .register(RpcbprogV3, service.v3)
    .register(RpcbprogV4, service.v4);
  const port = options.port ?? PMAP_PORT;
  const targets = (h: string) => {
    const q = h.includes(":") ? "?v6only=1" : "";
    return [`udp://${hostPort(h, port)}${q}`, `tcp://${hostPort(h, port)}${q}`];
  };
  const addresses: RemoteAddress[] = [];
  for (const h of options.hosts ?? ["0.0.0.0", "::"]) {
    try {
      addresses.push(...(await server.listen(...targets(h))));
    } catch (e) {
      // IPv6 by default only where the host has it.
      const code = (e as { code?: string }).code;
      if (
        options.hosts !== undefined ||
        !h.includes(":") ||
        (code !== "EADDRNOTAVAIL" && code !== "EAFNOSUPPORT")
      ) {
        await server.close();
        throw e;
      }
    }
  }
  addresses.forEach((a, i) => {
    const protocol = i % 2 === 0 ? "udp" : "tcp";
    for (const version of [4, 3, 2]) {
      if (version === 2 && a.family === "IPv6") continue;
      service.registry.set({
        program: PmapProgV2.program,
        version,
        netid: netidOf(protocol, a.family),
        uaddr: toUaddr(a),
        owner: "superuser",
      });
    }
  });
  return { server, registry: service.registry, addresses, close: () => server.close() };
}
