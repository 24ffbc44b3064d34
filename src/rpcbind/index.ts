/**
 * `lupine/rpcbind`: the binding protocols of RFC 1833 — a client for the port mapper and
 * RPCBIND, Lupine's own binder, universal addresses, and the generated descriptors.
 */
export { type PortMapping, RpcbindClient, type RpcbindClientOptions } from "./client.js";
export { type RpcbindDaemon, type RpcbindDaemonOptions, startRpcbind } from "./daemon.js";
export * from "./gen/rpcbind.js";
export { Registry, type RegistryEntry } from "./registry.js";
export { createRpcbindService, isLoopback, type RpcbindServiceOptions } from "./server.js";
export { fromTaddr, fromUaddr, netidOf, toTaddr, toUaddr } from "./uaddr.js";
