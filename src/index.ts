/**
 * Lupine: typed RPC for TypeScript. The main entry: what generated code and applications use.
 * Layers ship as subpaths too (`lupine/xdr`).
 */

export type { TlsClientOptions, TlsServerOptions } from "./connect/tls.js";
export {
  type BalancePolicy,
  type ClientOptions,
  type ClientSchemeContext,
  type ClientTarget,
  createClient,
  createServer,
  createTransport,
  type ParsedTarget,
  registerScheme,
  type SchemeHandler,
  type Server,
  type ServerOptions,
  type ServerSchemeContext,
} from "./connect.js";
export { certificatePin } from "./io/node/tls.js";
export { AUTH_NONE, AuthFlavor, authSys } from "./oncrpc/auth.js";
export {
  type AccessPolicyOptions,
  type AccessRule,
  accessPolicy,
} from "./runtime/access-policy.js";
export type { RpcClientOptions } from "./runtime/client.js";
export type {
  AuthSysParams,
  CallContext,
  OpaqueAuth,
  PeerIdentity,
  RemoteAddress,
} from "./runtime/context.js";
export {
  AuthStat,
  isRpcError,
  LocalCode,
  RemoteCode,
  RpcError,
  type RpcErrorCode,
  type RpcErrorDetails,
} from "./runtime/errors.js";
export type {
  ClientCall,
  ClientNext,
  Interceptor,
  ServerCall,
  ServerInterceptor,
  ServerNext,
} from "./runtime/interceptor.js";
export { consoleLogger, type Logger, silentLogger } from "./runtime/logger.js";
export { isLoopback, LOOPBACK_NETWORKS, NetworkSet } from "./runtime/networks.js";
export {
  type ArgsOf,
  type CallOptions,
  type ClientControls,
  type ClientMethod,
  type ClientOf,
  defineProgram,
  type HandlerMethod,
  type HandlersOf,
  type ProcedureDescriptor,
  type ProcedureHandler,
  type ProgramDescriptor,
  type ResultOf,
} from "./runtime/program.js";
export {
  type OpaqueStream,
  type StreamedFunction,
  type StreamedHandler,
  type StreamedOptions,
  streamed,
} from "./runtime/streamed.js";
export type {
  ArgumentBody,
  CallRequest,
  ClientTransport,
  Dispatcher,
  DispatchOutcome,
  IncomingCall,
  ServerTransport,
} from "./runtime/transport.js";
export * as xdr from "./xdr/index.js";
export { isXdrError, XdrError } from "./xdr/index.js";
