/** Lupine: typed RPC for TypeScript. The main entry: runtime API and the XDR namespace. */
export * as xdr from "./xdr/index.js";
export { isXdrError, XdrError } from "./xdr/index.js";
