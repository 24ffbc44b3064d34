/**
 * A client for the port mapper (program 100000 version 2) and RPCBIND (versions 3 and 4),
 * RFC 1833, over any transport to a host's port 111.
 *
 * `lookup()` finds where a program listens: RPCBIND v4 GETADDRLIST, then port mapper v2 GETPORT
 * when the host's binder is older (or refuses the list, see `lookup`).
 */
import type { Endpoint } from "../io/index.js";
import { createRpcClient } from "../runtime/client.js";
import { isRpcError } from "../runtime/errors.js";
import type { ClientOf } from "../runtime/program.js";
import type { ClientTransport } from "../runtime/transport.js";
import {
  IPPROTO_TCP,
  IPPROTO_UDP,
  type mapping as Mapping,
  type netbuf as Netbuf,
  PmapProgV2,
  type rpcb as Rpcb,
  type rpcb_entry as RpcbEntry,
  RpcbprogV3,
  RpcbprogV4,
  type rpcb_stat_byvers as RpcbStatByvers,
} from "./gen/rpcbind.js";
import { fromUaddr, netidOf } from "./uaddr.js";

/** Options of {@link RpcbindClient}. */
export interface RpcbindClientOptions {
  /** Per call (ms); default 3000. */
  readonly timeoutMs?: number;
  /** Whether `close()` closes the transport (default true). */
  readonly ownsTransport?: boolean;
}

/** A registration as `lupine info` and `rpcinfo -p` show it. */
export interface PortMapping {
  readonly program: number;
  readonly version: number;
  readonly protocol: "udp" | "tcp" | number;
  readonly port: number;
}

/** See the module comment. */
export class RpcbindClient {
  readonly v2: ClientOf<typeof PmapProgV2>;
  readonly v3: ClientOf<typeof RpcbprogV3>;
  readonly v4: ClientOf<typeof RpcbprogV4>;
  private readonly transport: ClientTransport;
  private readonly owns: boolean;

  constructor(transport: ClientTransport, options: RpcbindClientOptions = {}) {
    const opts = { timeoutMs: options.timeoutMs ?? 3000, ownsTransport: false };
    this.transport = transport;
    this.owns = options.ownsTransport ?? true;
    this.v2 = createRpcClient(PmapProgV2, transport, opts);
    this.v3 = createRpcClient(RpcbprogV3, transport, opts);
    this.v4 = createRpcClient(RpcbprogV4, transport, opts);
  }

  /** Port mapper GETPORT: the port of `program`/`version` over `protocol`, 0 when unregistered. */
  getPort(program: number, version: number, protocol: "udp" | "tcp"): Promise<number> {
    const prot = protocol === "udp" ? IPPROTO_UDP : IPPROTO_TCP;
    return this.v2.pmapprocGetport({ prog: program, vers: version, prot, port: 0 });
  }

  /** Port mapper SET (only from the binder's own host, by default). */
  set(m: PortMapping): Promise<boolean> {
    return this.v2.pmapprocSet(toMapping(m));
  }

  /** Port mapper UNSET: removes `program`/`version` for every protocol. */
  unset(program: number, version: number): Promise<boolean> {
    return this.v2.pmapprocUnset({ prog: program, vers: version, prot: 0, port: 0 });
  }

  /** Port mapper DUMP: every registration. */
  async dump(): Promise<PortMapping[]> {
    const out: PortMapping[] = [];
    for (let n = await this.v2.pmapprocDump(); n !== null; n = n.next) {
      const { prog, vers, prot, port } = n.map;
      out.push({ program: prog, version: vers, protocol: protocolName(prot), port });
    }
    return out;
  }

  /** RPCBIND v4 SET. */
  rpcbSet(r: Rpcb): Promise<boolean> {
    return this.v4.rpcbprocSet(r);
  }

  /** RPCBIND v4 UNSET (an empty netid removes every transport). */
  rpcbUnset(r: Rpcb): Promise<boolean> {
    return this.v4.rpcbprocUnset(r);
  }

  /** RPCBIND v3 GETADDR: a universal address, "" when unregistered. */
  getAddr(r: Rpcb): Promise<string> {
    return this.v3.rpcbprocGetaddr(r);
  }

  /** RPCBIND v4 GETVERSADDR: the address of exactly that version, "" when unregistered. */
  getVersAddr(r: Rpcb): Promise<string> {
    return this.v4.rpcbprocGetversaddr(r);
  }

  /** RPCBIND v4 GETADDRLIST: every address of the program, with its transport. */
  async getAddrList(r: Rpcb): Promise<RpcbEntry[]> {
    const out: RpcbEntry[] = [];
    for (let n = await this.v4.rpcbprocGetaddrlist(r); n !== null; n = n.rpcb_entry_next) {
      out.push(n.rpcb_entry_map);
    }
    return out;
  }

  /** RPCBIND v4 DUMP. */
  async dumpRpcb(): Promise<Rpcb[]> {
    const out: Rpcb[] = [];
    for (let n = await this.v4.rpcbprocDump(); n !== null; n = n.rpcb_next) out.push(n.rpcb_map);
    return out;
  }

  /** RPCBIND GETTIME: the host's clock, seconds since 1970. */
  getTime(): Promise<number> {
    return this.v4.rpcbprocGettime();
  }

  /** RPCBIND UADDR2TADDR. */
  uaddr2taddr(uaddr: string): Promise<Netbuf> {
    return this.v4.rpcbprocUaddr2taddr(uaddr);
  }

  /** RPCBIND TADDR2UADDR. */
  taddr2uaddr(taddr: Netbuf): Promise<string> {
    return this.v4.rpcbprocTaddr2uaddr(taddr);
  }

  /** RPCBIND v4 GETSTAT: per-version statistics (v2, v3, v4). */
  getStat(): Promise<RpcbStatByvers> {
    return this.v4.rpcbprocGetstat();
  }

  /**
   * Where `program`/`version` listens over `protocol` on this host. Asks RPCBIND v4
   * GETADDRLIST and picks the entry for the protocol and the host's address family (GETADDR
   * and GETVERSADDR cannot be used for that: the binder ignores their `r_netid` and answers for
   * the transport the question came in on, RFC 1833 §2.2.1), then port mapper v2 GETPORT when
   * the binder is older, or answers the list with SYSTEM_ERR (a Lupine binder does when the list
   * would be more than its UDP reply-amplification limit allows: GETPORT's reply is always
   * small). Resolves null when it is not registered. `host` replaces a wildcard address
   * (`0.0.0.0`, `::`) in the answer.
   */
  async lookup(
    program: number,
    version: number,
    protocol: "udp" | "tcp",
    host: Endpoint,
  ): Promise<Endpoint | null> {
    const netid = netidOf(protocol, host.family);
    try {
      const list = await this.getAddrList({
        r_prog: program,
        r_vers: version,
        r_netid: netid,
        r_addr: "",
        r_owner: "",
      });
      const entry =
        list.find((e) => e.r_nc_netid === netid) ?? list.find((e) => e.r_nc_proto === protocol);
      if (entry === undefined) return null;
      const e = fromUaddr(entry.r_maddr);
      if (e === null) return null;
      const wildcard = e.address === "0.0.0.0" || e.address === "::";
      return wildcard ? { ...e, address: host.address, family: host.family } : e;
    } catch (e) {
      const fallBack = ["prog_mismatch", "proc_unavail", "system_err"];
      if (!isRpcError(e) || !e.remote || !fallBack.includes(e.code)) throw e;
    }
    const port = await this.getPort(program, version, protocol);
    return port === 0 ? null : { address: host.address, port, family: host.family };
  }

  /** Closes the transport when this client owns it. */
  close(): Promise<void> {
    return this.owns ? this.transport.close() : Promise.resolve();
  }
}

function toMapping(m: PortMapping): Mapping {
  const prot = m.protocol === "udp" ? IPPROTO_UDP : m.protocol === "tcp" ? IPPROTO_TCP : m.protocol;
  return { prog: m.program, vers: m.version, prot, port: m.port };
}

function protocolName(prot: number): "udp" | "tcp" | number {
  return prot === IPPROTO_UDP ? "udp" : prot === IPPROTO_TCP ? "tcp" : prot;
}
