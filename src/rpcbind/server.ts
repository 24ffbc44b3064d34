/**
 * Lupine's binder: port mapper version 2 and RPCBIND versions 3 and 4 (RFC 1833) as handlers
 * for a Lupine server, so a machine without the system daemon still has one, and the system's
 * `rpcinfo -p`, `rpcinfo -u`, `rpcinfo -t`, `rpcinfo -T` work against it.
 *
 * Policy, as the system rpcbind's: SET and UNSET are accepted only from a loopback address;
 * from anywhere else they are refused with AUTH_ERROR / AUTH_TOOWEAK before the table is touched
 * (rpcbind's `check_access` then `svcerr_weakauth`), unless `setAllowedFrom` or
 * `allowRemoteSet` says otherwise. CALLIT, BCAST and INDIRECT — the remote-call procedures behind
 * rpcbind's reflection and amplification attacks — answer PROC_UNAVAIL. A wildcard address
 * (`0.0.0.0`, `::`) in a registration is answered with the caller's loopback address when the
 * caller is on this host. The table is bounded (4096 registrations by default).
 */
import type { CallContext } from "../runtime/context.js";
import { AuthStat, RpcError } from "../runtime/errors.js";
import { isLoopback, LOOPBACK_NETWORKS, NetworkSet } from "../runtime/networks.js";
import type { HandlersOf } from "../runtime/program.js";
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  type mapping as Mapping,
  NC_TPI_CLTS,
  NC_TPI_COTS_ORD,
  type pmaplist_ptr as PmaplistPtr,
  type PmapProgV2,
  RPCBSTAT_HIGHPROC,
  type rpcb as Rpcb,
  type rpcb_entry_list_ptr as RpcbEntryListPtr,
  type rpcblist_ptr as RpcblistPtr,
  type RpcbprogV3,
  type RpcbprogV4,
  type rpcb_stat as RpcbStat,
  type rpcbs_addrlist_ptr as RpcbsAddrlistPtr,
} from "./gen/rpcbind.js";
import { Registry, type RegistryEntry } from "./registry.js";
import { fromTaddr, fromUaddr, toTaddr, toUaddr } from "./uaddr.js";

/** Options of {@link createRpcbindService}. */
export interface RpcbindServiceOptions {
  /** Seconds since 1970, for GETTIME (the composition root passes the wall clock). */
  readonly wallClockSeconds: () => number;
  /** Accept SET/UNSET from any address (default false; overrides `setAllowedFrom`). */
  readonly allowRemoteSet?: boolean;
  /**
   * Networks SET/UNSET are accepted from (`runtime/networks.ts` syntax); default loopback only
   * (`127.0.0.0/8`, `::1`). Anything else is refused with AUTH_ERROR / AUTH_TOOWEAK.
   */
  readonly setAllowedFrom?: readonly string[];
  /** Most registrations kept; default 4096. */
  readonly maxEntries?: number;
}

export { isLoopback } from "../runtime/networks.js";

/** The netid of the transport a call came in on: `udp`, `tcp`, `udp6`, `tcp6`. */
function callerNetid(ctx: CallContext): string {
  const a = ctx.remote?.address ?? "";
  const v6 = ctx.remote?.family === "IPv6" && !a.toLowerCase().startsWith("::ffff:");
  return v6 ? `${ctx.transport}6` : ctx.transport;
}

interface VersionStats {
  readonly info: number[];
  setinfo: number;
  unsetinfo: number;
  /** Lookups by program/version/netid: [success, failure]. */
  readonly lookups: Map<
    string,
    { prog: number; vers: number; netid: string; success: number; failure: number }
  >;
}

const MAX_LOOKUP_STATS = 256;

/** The binder's state and the handlers of its three versions. */
export function createRpcbindService(options: RpcbindServiceOptions) {
  const registry = new Registry(options.maxEntries);
  const stats: VersionStats[] = [2, 3, 4].map(() => ({
    info: new Array<number>(RPCBSTAT_HIGHPROC).fill(0),
    setinfo: 0,
    unsetinfo: 0,
    lookups: new Map(),
  }));
  const count = (version: number, ctx: CallContext) => {
    const s = stats[version - 2];
    if (s !== undefined && ctx.procedure < RPCBSTAT_HIGHPROC)
      s.info[ctx.procedure] = (s.info[ctx.procedure] ?? 0) + 1;
  };
  const lookup = (version: number, prog: number, vers: number, netid: string, ok: boolean) => {
    const s = stats[version - 2]!;
    const key = `${prog}/${vers}/${netid}`;
    let e = s.lookups.get(key);
    if (e === undefined) {
      if (s.lookups.size >= MAX_LOOKUP_STATS) return;
      e = { prog, vers, netid, success: 0, failure: 0 };
      s.lookups.set(key, e);
    }
    if (ok) e.success++;
    else e.failure++;
  };
  const setters = new NetworkSet(options.setAllowedFrom ?? LOOPBACK_NETWORKS);
  /** Refuses SET/UNSET from outside `setters` (throws, so the dispatcher answers AUTH_ERROR). */
  const checkSetter = (ctx: CallContext): void => {
    if (options.allowRemoteSet === true || setters.has(ctx.remote?.address)) return;
    throw new RpcError(
      "auth_error",
      `${ctx.procedureName} from ${ctx.remote?.address ?? "an unknown address"} refused: registrations are accepted only from ${setters.text.join(", ")}`,
      { details: { authStat: AuthStat.AUTH_TOOWEAK }, remote: true },
    );
  };

  /** The address to answer for `e`: its own, or the caller's loopback for a wildcard. */
  const answer = (e: RegistryEntry, ctx: CallContext): string => {
    const ep = fromUaddr(e.uaddr);
    if (ep === null) return e.uaddr;
    if ((ep.address === "0.0.0.0" || ep.address === "::") && isLoopback(ctx.remote?.address)) {
      return toUaddr({ ...ep, address: ep.family === "IPv6" ? "::1" : "127.0.0.1" });
    }
    return e.uaddr;
  };

  const v4Set = (version: number) => (r: Rpcb, ctx: CallContext) => {
    count(version, ctx);
    checkSetter(ctx);
    const ok = registry.set({
      program: r.r_prog,
      version: r.r_vers,
      netid: r.r_netid,
      uaddr: r.r_addr,
      owner: r.r_owner || "unknown",
    });
    if (ok) stats[version - 2]!.setinfo++;
    return ok;
  };
  const v4Unset = (version: number) => (r: Rpcb, ctx: CallContext) => {
    count(version, ctx);
    checkSetter(ctx);
    const ok = registry.unset(r.r_prog, r.r_vers, r.r_netid);
    if (ok) stats[version - 2]!.unsetinfo++;
    return ok;
  };
  // GETADDR and GETVERSADDR ignore r_netid: the answer is for the transport the question came
  // in on (RFC 1833 §2.2.1), as the system rpcbind does.
  const getAddr = (version: number, exact: boolean) => (r: Rpcb, ctx: CallContext) => {
    count(version, ctx);
    const netid = callerNetid(ctx);
    const e = exact
      ? registry.find(r.r_prog, r.r_vers, netid)
      : registry.findAnyVersion(r.r_prog, r.r_vers, netid);
    lookup(version, r.r_prog, r.r_vers, netid, e !== undefined);
    return e === undefined ? "" : answer(e, ctx);
  };
  const dump =
    (version: number) =>
    (ctx: CallContext): RpcblistPtr => {
      count(version, ctx);
      let head: RpcblistPtr = null;
      for (const e of [...registry.all()].reverse()) {
        head = {
          rpcb_map: {
            r_prog: e.program,
            r_vers: e.version,
            r_netid: e.netid,
            r_addr: e.uaddr,
            r_owner: e.owner,
          },
          rpcb_next: head,
        };
      }
      return head;
    };
  const getTime = (version: number) => (ctx: CallContext) => {
    count(version, ctx);
    return options.wallClockSeconds() >>> 0;
  };
  const uaddr2taddr = (version: number) => (uaddr: string, ctx: CallContext) => {
    count(version, ctx);
    const e = fromUaddr(uaddr);
    const buf = e === null ? new Uint8Array(0) : toTaddr(e);
    return { maxlen: buf.length, buf };
  };
  const taddr2uaddr = (version: number) => (taddr: { buf: Uint8Array }, ctx: CallContext) => {
    count(version, ctx);
    const e = fromTaddr(taddr.buf);
    return e === null ? "" : toUaddr(e);
  };
  const noRemoteCalls =
    (version: number) =>
    (_args: unknown, ctx: CallContext): never => {
      count(version, ctx);
      throw new RpcError("proc_unavail", "remote calls through rpcbind are disabled");
    };

  const v2: HandlersOf<typeof PmapProgV2> = {
    pmapprocSet(m: Mapping, ctx) {
      count(2, ctx);
      const netid = m.prot === IPPROTO_UDP ? "udp" : m.prot === IPPROTO_TCP ? "tcp" : "";
      checkSetter(ctx);
      if (netid === "") return false;
      const ok = registry.set({
        program: m.prog,
        version: m.vers,
        netid,
        uaddr: toUaddr({ address: "0.0.0.0", port: m.port, family: "IPv4" }),
        owner: "unknown",
      });
      if (ok) stats[0]!.setinfo++;
      return ok;
    },
    pmapprocUnset(m: Mapping, ctx) {
      count(2, ctx);
      checkSetter(ctx);
      const a = registry.unset(m.prog, m.vers, "udp");
      const b = registry.unset(m.prog, m.vers, "tcp");
      if (a || b) stats[0]!.unsetinfo++;
      return a || b;
    },
    pmapprocGetport(m: Mapping, ctx) {
      count(2, ctx);
      const netid = m.prot === IPPROTO_UDP ? "udp" : m.prot === IPPROTO_TCP ? "tcp" : "";
      const e = netid === "" ? undefined : registry.find(m.prog, m.vers, netid);
      lookup(2, m.prog, m.vers, netid, e !== undefined);
      return e === undefined ? 0 : (fromUaddr(e.uaddr)?.port ?? 0);
    },
    pmapprocDump(ctx): PmaplistPtr {
      count(2, ctx);
      let head: PmaplistPtr = null;
      for (const e of [...registry.all()].reverse()) {
        if (e.netid !== "udp" && e.netid !== "tcp") continue;
        const port = fromUaddr(e.uaddr)?.port ?? 0;
        const prot = e.netid === "udp" ? IPPROTO_UDP : IPPROTO_TCP;
        head = { map: { prog: e.program, vers: e.version, prot, port }, next: head };
      }
      return head;
    },
    pmapprocCallit: noRemoteCalls(2),
  };

  const v3: HandlersOf<typeof RpcbprogV3> = {
    rpcbprocSet: v4Set(3),
    rpcbprocUnset: v4Unset(3),
    rpcbprocGetaddr: getAddr(3, false),
    rpcbprocDump: dump(3),
    rpcbprocCallit: noRemoteCalls(3),
    rpcbprocGettime: getTime(3),
    rpcbprocUaddr2taddr: uaddr2taddr(3),
    rpcbprocTaddr2uaddr: taddr2uaddr(3),
  };

  const v4: HandlersOf<typeof RpcbprogV4> = {
    rpcbprocSet: v4Set(4),
    rpcbprocUnset: v4Unset(4),
    rpcbprocGetaddr: getAddr(4, false),
    rpcbprocDump: dump(4),
    rpcbprocBcast: noRemoteCalls(4),
    rpcbprocGettime: getTime(4),
    rpcbprocUaddr2taddr: uaddr2taddr(4),
    rpcbprocTaddr2uaddr: taddr2uaddr(4),
    rpcbprocGetversaddr: getAddr(4, true),
    rpcbprocIndirect: noRemoteCalls(4),
    rpcbprocGetaddrlist(r: Rpcb, ctx): RpcbEntryListPtr {
      count(4, ctx);
      let head: RpcbEntryListPtr = null;
      for (const e of registry.findAll(r.r_prog, r.r_vers).reverse()) {
        const udp = e.netid.startsWith("udp");
        head = {
          rpcb_entry_map: {
            r_maddr: answer(e, ctx),
            r_nc_netid: e.netid,
            r_nc_semantics: udp ? NC_TPI_CLTS : NC_TPI_COTS_ORD,
            r_nc_protofmly: e.netid.endsWith("6") ? "inet6" : "inet",
            r_nc_proto: udp ? "udp" : "tcp",
          },
          rpcb_entry_next: head,
        };
      }
      return head;
    },
    rpcbprocGetstat(ctx): RpcbStat[] {
      count(4, ctx);
      return stats.map((s) => {
        let addrinfo: RpcbsAddrlistPtr = null;
        for (const l of s.lookups.values()) {
          addrinfo = {
            prog: l.prog,
            vers: l.vers,
            success: l.success,
            failure: l.failure,
            netid: l.netid,
            next: addrinfo,
          };
        }
        return {
          info: [...s.info],
          setinfo: s.setinfo,
          unsetinfo: s.unsetinfo,
          addrinfo,
          rmtinfo: null,
        };
      });
    },
  };

  return { registry, v2, v3, v4 };
}
