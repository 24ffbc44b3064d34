/**
 * ONC RPC version 2 (RFC 5531), sans I/O: message headers, authentication flavors, record
 * marking, xids, the UDP retransmission schedule and the duplicate-request cache. Transports in
 * `src/transport/` drive these with real or simulated sockets and clocks.
 */
export * from "./auth.js";
export * from "./drc.js";
export * from "./record-marking.js";
export * from "./retransmit.js";
export * from "./rpc-msg.js";
export * from "./xid.js";
