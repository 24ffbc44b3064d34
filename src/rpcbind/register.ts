/**
 * Registering a server's programs with the host's binder (RFC 1833): RPCBIND v4 SET per
 * program, version and transport (netid `udp`/`tcp`/`udp6`/`tcp6`, universal address of the
 * bound socket), falling back to port mapper v2 SET when the binder only speaks version 2.
 * The binder accepts SET and UNSET only from its own host.
 */
import type { Endpoint } from "../io/index.js";
import { isRpcError } from "../runtime/errors.js";
import type { RpcbindClient } from "./client.js";
import { netidOf, toUaddr } from "./uaddr.js";

/** One program version served on one transport. */
export interface Binding {
  readonly program: number;
  readonly version: number;
  readonly protocol: "udp" | "tcp";
  readonly address: Endpoint;
}

/** Registers every binding; returns what was registered and how, for {@link unregisterAll}. */
export async function registerAll(
  rpcb: RpcbindClient,
  bindings: readonly Binding[],
): Promise<Binding[]> {
  const done: Binding[] = [];
  for (const b of bindings) {
    let ok: boolean;
    try {
      ok = await rpcb.rpcbSet({
        r_prog: b.program,
        r_vers: b.version,
        r_netid: netidOf(b.protocol, b.address.family),
        r_addr: toUaddr(b.address),
        r_owner: "lupine",
      });
    } catch (e) {
      if (!isRpcError(e) || (e.code !== "prog_mismatch" && e.code !== "proc_unavail")) throw e;
      if (b.address.family === "IPv6") continue; // version 2 cannot express IPv6
      ok = await rpcb.set({
        program: b.program,
        version: b.version,
        protocol: b.protocol,
        port: b.address.port,
      });
    }
    if (!ok) {
      throw new Error(
        `rpcbind refused to register program ${b.program} version ${b.version} over ${b.protocol} (already registered by another owner?)`,
      );
    }
    done.push(b);
  }
  return done;
}

/** Removes registrations made by {@link registerAll}; errors are collected, not thrown. */
export async function unregisterAll(
  rpcb: RpcbindClient,
  bindings: readonly Binding[],
): Promise<unknown[]> {
  const errors: unknown[] = [];
  const seen = new Set<string>();
  for (const b of bindings) {
    try {
      const netid = netidOf(b.protocol, b.address.family);
      await rpcb.rpcbUnset({
        r_prog: b.program,
        r_vers: b.version,
        r_netid: netid,
        r_addr: "",
        r_owner: "lupine",
      });
    } catch (e) {
      const key = `${b.program}/${b.version}`;
      if (isRpcError(e) && (e.code === "prog_mismatch" || e.code === "proc_unavail")) {
        if (!seen.has(key)) {
          seen.add(key);
          await rpcb.unset(b.program, b.version).catch((x: unknown) => errors.push(x));
        }
      } else errors.push(e);
    }
  }
  return errors;
}
