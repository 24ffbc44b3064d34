/**
 * Node's system errors (`ECONNREFUSED`, `ENOTFOUND`, ...) mapped to `RpcError` codes, in one
 * place (as connect-node's `node-error.ts` does), so every transport reports them alike.
 */
import type { RpcErrorCode } from "../../runtime/errors.js";

const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_NONAME",
  "EAI_FAIL",
  "EADDRNOTAVAIL",
  "EAFNOSUPPORT",
]);
const CLOSED = new Set([
  "ECONNRESET",
  "EPIPE",
  "ECONNABORTED",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_DESTROYED",
]);
const TIMEOUT = new Set(["ETIMEDOUT"]);
const TOO_BIG = new Set(["EMSGSIZE", "ENOBUFS"]);

/** The Node error code (`ECONNREFUSED`) of `e`, if it has one. */
export function nodeErrorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The `RpcError` code for a Node error: refused, no route, name not found → `unreachable`;
 * reset, broken pipe → `closed`; `ETIMEDOUT` → `timeout`; a datagram too big → `invalid_argument`;
 * anything else → `fallback`.
 */
export function rpcCodeForNodeError(
  e: unknown,
  fallback: RpcErrorCode = "unreachable",
): RpcErrorCode {
  const code = nodeErrorCode(e);
  if (code === undefined) return fallback;
  if (UNREACHABLE.has(code)) return "unreachable";
  if (CLOSED.has(code)) return "closed";
  if (TIMEOUT.has(code)) return "timeout";
  if (TOO_BIG.has(code)) return "invalid_argument";
  return fallback;
}

/** True when the error proves the request never reached a server (safe to try another). */
export function neverSent(e: unknown): boolean {
  const code = nodeErrorCode(e);
  return code !== undefined && UNREACHABLE.has(code);
}
