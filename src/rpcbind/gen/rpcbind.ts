// Descriptors for rpcbind.x (RFC 1833), in the shape `lupine gen` emits. DO NOT EDIT by hand
// once the compiler generates this file.
import { defineProgram, xdr as $xdr } from "../../runtime/generated.js";

type Codec<T> = $xdr.XdrCodec<T>;

export const PMAP_PORT = 111;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const NC_TPI_CLTS = 1;
export const NC_TPI_COTS = 2;
export const NC_TPI_COTS_ORD = 3;
export const NC_TPI_RAW = 4;
export const RPCBSTAT_HIGHPROC = 13;
export const RPCBVERS_STAT = 3;
export const PMAP_PROG = 100000;
export const PMAP_VERS = 2;
export const RPCBPROG = 100000;
export const RPCBVERS = 3;
export const RPCBVERS4 = 4;

/**
 * A struct whose last field is an optional pointer to the same struct (a linked list), decoded
 * and encoded in a loop so that a long list costs no stack depth.
 */
function linkedList<T extends object>(
  name: string,
  fields: readonly (readonly [string, Codec<unknown>])[],
  nextField: string,
): Codec<T | null> {
  return {
    name: `${name} *`,
    minSize: 4,
    encode(w, v) {
      let node = v as Record<string, unknown> | null;
      let i = 0;
      while (node !== null && node !== undefined) {
        w.writeBool(true);
        for (const [field, codec] of fields) {
          try {
            codec.encode(w, node[field]);
          } catch (e) {
            throw $xdr.XdrError.at(e, name, `[${i}].${field}`);
          }
        }
        node = node[nextField] as Record<string, unknown> | null;
        i++;
      }
      w.writeBool(false);
    },
    decode(r) {
      let head: Record<string, unknown> | null = null;
      let tail: Record<string, unknown> | null = null;
      let i = 0;
      while (r.readBool()) {
        const node: Record<string, unknown> = {};
        for (const [field, codec] of fields) {
          try {
            node[field] = codec.decode(r);
          } catch (e) {
            throw $xdr.XdrError.at(e, name, `[${i}].${field}`);
          }
        }
        node[nextField] = null;
        if (tail === null) head = node;
        else tail[nextField] = node;
        tail = node;
        i++;
      }
      return head as T | null;
    },
  };
}

export interface Mapping {
  prog: number;
  vers: number;
  prot: number;
  port: number;
}
export const xdr_mapping: Codec<Mapping> = $xdr.struct("mapping", {
  prog: $xdr.uint,
  vers: $xdr.uint,
  prot: $xdr.uint,
  port: $xdr.uint,
});

export interface Pmaplist {
  map: Mapping;
  next: Pmaplist | null;
}
export type PmaplistPtr = Pmaplist | null;
export const xdr_pmaplist_ptr: Codec<PmaplistPtr> = linkedList<Pmaplist>("pmaplist", [["map", xdr_mapping]], "next");

export interface CallArgs {
  prog: number;
  vers: number;
  proc: number;
  args: Uint8Array;
}
export const xdr_call_args: Codec<CallArgs> = $xdr.struct("call_args", {
  prog: $xdr.uint,
  vers: $xdr.uint,
  proc: $xdr.uint,
  args: $xdr.opaque(),
});

export interface CallResult {
  port: number;
  res: Uint8Array;
}
export const xdr_call_result: Codec<CallResult> = $xdr.struct("call_result", {
  port: $xdr.uint,
  res: $xdr.opaque(),
});

export interface Rpcb {
  r_prog: number;
  r_vers: number;
  r_netid: string;
  r_addr: string;
  r_owner: string;
}
export const xdr_rpcb: Codec<Rpcb> = $xdr.struct("rpcb", {
  r_prog: $xdr.uint,
  r_vers: $xdr.uint,
  r_netid: $xdr.string(),
  r_addr: $xdr.string(),
  r_owner: $xdr.string(),
});

export interface RpList {
  rpcb_map: Rpcb;
  rpcb_next: RpList | null;
}
export type RpcblistPtr = RpList | null;
export const xdr_rpcblist_ptr: Codec<RpcblistPtr> = linkedList<RpList>("rp__list", [["rpcb_map", xdr_rpcb]], "rpcb_next");

export interface RpcbRmtcallargs {
  prog: number;
  vers: number;
  proc: number;
  args: Uint8Array;
}
export const xdr_rpcb_rmtcallargs: Codec<RpcbRmtcallargs> = $xdr.struct("rpcb_rmtcallargs", {
  prog: $xdr.uint,
  vers: $xdr.uint,
  proc: $xdr.uint,
  args: $xdr.opaque(),
});

export interface RpcbRmtcallres {
  addr: string;
  results: Uint8Array;
}
export const xdr_rpcb_rmtcallres: Codec<RpcbRmtcallres> = $xdr.struct("rpcb_rmtcallres", {
  addr: $xdr.string(),
  results: $xdr.opaque(),
});

export interface RpcbEntry {
  r_maddr: string;
  r_nc_netid: string;
  r_nc_semantics: number;
  r_nc_protofmly: string;
  r_nc_proto: string;
}
export const xdr_rpcb_entry: Codec<RpcbEntry> = $xdr.struct("rpcb_entry", {
  r_maddr: $xdr.string(),
  r_nc_netid: $xdr.string(),
  r_nc_semantics: $xdr.uint,
  r_nc_protofmly: $xdr.string(),
  r_nc_proto: $xdr.string(),
});

export interface RpcbEntryList {
  rpcb_entry_map: RpcbEntry;
  rpcb_entry_next: RpcbEntryList | null;
}
export type RpcbEntryListPtr = RpcbEntryList | null;
export const xdr_rpcb_entry_list_ptr: Codec<RpcbEntryListPtr> = linkedList<RpcbEntryList>(
  "rpcb_entry_list",
  [["rpcb_entry_map", xdr_rpcb_entry]],
  "rpcb_entry_next",
);

export interface Netbuf {
  maxlen: number;
  buf: Uint8Array;
}
export const xdr_netbuf: Codec<Netbuf> = $xdr.struct("netbuf", {
  maxlen: $xdr.uint,
  buf: $xdr.opaque(),
});

export interface RpcbsAddrlist {
  prog: number;
  vers: number;
  success: number;
  failure: number;
  netid: string;
  next: RpcbsAddrlist | null;
}
export type RpcbsAddrlistPtr = RpcbsAddrlist | null;
export const xdr_rpcbs_addrlist_ptr: Codec<RpcbsAddrlistPtr> = linkedList<RpcbsAddrlist>(
  "rpcbs_addrlist",
  [
    ["prog", $xdr.uint],
    ["vers", $xdr.uint],
    ["success", $xdr.int],
    ["failure", $xdr.int],
    ["netid", $xdr.string()],
  ],
  "next",
);

export interface RpcbsRmtcalllist {
  prog: number;
  vers: number;
  proc: number;
  success: number;
  failure: number;
  indirect: number;
  netid: string;
  next: RpcbsRmtcalllist | null;
}
export type RpcbsRmtcalllistPtr = RpcbsRmtcalllist | null;
export const xdr_rpcbs_rmtcalllist_ptr: Codec<RpcbsRmtcalllistPtr> = linkedList<RpcbsRmtcalllist>(
  "rpcbs_rmtcalllist",
  [
    ["prog", $xdr.uint],
    ["vers", $xdr.uint],
    ["proc", $xdr.uint],
    ["success", $xdr.int],
    ["failure", $xdr.int],
    ["indirect", $xdr.int],
    ["netid", $xdr.string()],
  ],
  "next",
);

export type RpcbsProc = number[];
export const xdr_rpcbs_proc: Codec<RpcbsProc> = $xdr.fixedArray($xdr.int, RPCBSTAT_HIGHPROC);

export interface RpcbStat {
  info: RpcbsProc;
  setinfo: number;
  unsetinfo: number;
  addrinfo: RpcbsAddrlistPtr;
  rmtinfo: RpcbsRmtcalllistPtr;
}
export const xdr_rpcb_stat: Codec<RpcbStat> = $xdr.struct("rpcb_stat", {
  info: xdr_rpcbs_proc,
  setinfo: $xdr.int,
  unsetinfo: $xdr.int,
  addrinfo: xdr_rpcbs_addrlist_ptr,
  rmtinfo: xdr_rpcbs_rmtcalllist_ptr,
});

export type RpcbStatByvers = RpcbStat[];
export const xdr_rpcb_stat_byvers: Codec<RpcbStatByvers> = $xdr.fixedArray(xdr_rpcb_stat, RPCBVERS_STAT);

/** program PMAP_PROG, version PMAP_VERS (rpcbind.x) */
export const PmapProgV2 = defineProgram({
  name: "PMAP_PROG",
  program: PMAP_PROG,
  version: PMAP_VERS,
  procedures: {
    pmapprocNull: { procedure: 0, name: "PMAPPROC_NULL", args: [], result: $xdr.void },
    pmapprocSet: { procedure: 1, name: "PMAPPROC_SET", args: [xdr_mapping], result: $xdr.bool },
    pmapprocUnset: { procedure: 2, name: "PMAPPROC_UNSET", args: [xdr_mapping], result: $xdr.bool },
    pmapprocGetport: { procedure: 3, name: "PMAPPROC_GETPORT", args: [xdr_mapping], result: $xdr.uint },
    pmapprocDump: { procedure: 4, name: "PMAPPROC_DUMP", args: [], result: xdr_pmaplist_ptr },
    pmapprocCallit: { procedure: 5, name: "PMAPPROC_CALLIT", args: [xdr_call_args], result: xdr_call_result },
  },
});

/** program RPCBPROG, version RPCBVERS (rpcbind.x) */
export const RpcbprogV3 = defineProgram({
  name: "RPCBPROG",
  program: RPCBPROG,
  version: RPCBVERS,
  procedures: {
    rpcbprocNull: { procedure: 0, name: "RPCBPROC_NULL", args: [], result: $xdr.void },
    rpcbprocSet: { procedure: 1, name: "RPCBPROC_SET", args: [xdr_rpcb], result: $xdr.bool },
    rpcbprocUnset: { procedure: 2, name: "RPCBPROC_UNSET", args: [xdr_rpcb], result: $xdr.bool },
    rpcbprocGetaddr: { procedure: 3, name: "RPCBPROC_GETADDR", args: [xdr_rpcb], result: $xdr.string() },
    rpcbprocDump: { procedure: 4, name: "RPCBPROC_DUMP", args: [], result: xdr_rpcblist_ptr },
    rpcbprocCallit: { procedure: 5, name: "RPCBPROC_CALLIT", args: [xdr_rpcb_rmtcallargs], result: xdr_rpcb_rmtcallres },
    rpcbprocGettime: { procedure: 6, name: "RPCBPROC_GETTIME", args: [], result: $xdr.uint },
    rpcbprocUaddr2taddr: { procedure: 7, name: "RPCBPROC_UADDR2TADDR", args: [$xdr.string()], result: xdr_netbuf },
    rpcbprocTaddr2uaddr: { procedure: 8, name: "RPCBPROC_TADDR2UADDR", args: [xdr_netbuf], result: $xdr.string() },
  },
});

/** program RPCBPROG, version RPCBVERS4 (rpcbind.x) */
export const RpcbprogV4 = defineProgram({
  name: "RPCBPROG",
  program: RPCBPROG,
  version: RPCBVERS4,
  procedures: {
    rpcbprocNull: { procedure: 0, name: "RPCBPROC_NULL", args: [], result: $xdr.void },
    rpcbprocSet: { procedure: 1, name: "RPCBPROC_SET", args: [xdr_rpcb], result: $xdr.bool },
    rpcbprocUnset: { procedure: 2, name: "RPCBPROC_UNSET", args: [xdr_rpcb], result: $xdr.bool },
    rpcbprocGetaddr: { procedure: 3, name: "RPCBPROC_GETADDR", args: [xdr_rpcb], result: $xdr.string() },
    rpcbprocDump: { procedure: 4, name: "RPCBPROC_DUMP", args: [], result: xdr_rpcblist_ptr },
    rpcbprocBcast: { procedure: 5, name: "RPCBPROC_BCAST", args: [xdr_rpcb_rmtcallargs], result: xdr_rpcb_rmtcallres },
    rpcbprocGettime: { procedure: 6, name: "RPCBPROC_GETTIME", args: [], result: $xdr.uint },
    rpcbprocUaddr2taddr: { procedure: 7, name: "RPCBPROC_UADDR2TADDR", args: [$xdr.string()], result: xdr_netbuf },
    rpcbprocTaddr2uaddr: { procedure: 8, name: "RPCBPROC_TADDR2UADDR", args: [xdr_netbuf], result: $xdr.string() },
    rpcbprocGetversaddr: { procedure: 9, name: "RPCBPROC_GETVERSADDR", args: [xdr_rpcb], result: $xdr.string() },
    rpcbprocIndirect: { procedure: 10, name: "RPCBPROC_INDIRECT", args: [xdr_rpcb_rmtcallargs], result: xdr_rpcb_rmtcallres },
    rpcbprocGetaddrlist: { procedure: 11, name: "RPCBPROC_GETADDRLIST", args: [xdr_rpcb], result: xdr_rpcb_entry_list_ptr },
    rpcbprocGetstat: { procedure: 12, name: "RPCBPROC_GETSTAT", args: [], result: xdr_rpcb_stat_byvers },
  },
});
