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
/** OpenSSL's certificate verification results, as Node names them (`X509_V_ERR_*`). */
const CERTIFICATE = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_SIGNATURE_FAILURE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "HOSTNAME_MISMATCH",
  "IP_ADDRESS_MISMATCH",
]);
const TOO_BIG = new Set(["EMSGSIZE", "ENOBUFS"]);

/** The Node error code (`ECONNREFUSED`) of `e`, if it has one. */
export function nodeErrorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * The `RpcError` code for a Node error: refused, no route, name not found → `unreachable`;
 * reset, broken pipe → `closed`; `ETIMEDOUT` → `timeout`; a datagram too big → `invalid_argument`;
 * a TLS failure (a certificate that does not verify, a handshake alert, a pin that does not
 * match: `ERR_TLS_*`, `ERR_SSL_*`, `X509_V_ERR_*` names) → `unauthenticated`; anything else →
 * `fallback`.
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
  if (isTlsFailure(code)) return "unauthenticated";
  return fallback;
}

/** True when the error proves the request never reached a server (safe to try another). */
export function neverSent(e: unknown): boolean {
  const code = nodeErrorCode(e);
  return code !== undefined && UNREACHABLE.has(code);
}

/** True for the codes of TLS handshake and certificate failures (see `rpcCodeForNodeError`). */
export function isTlsFailure(code: string | undefined): boolean {
  return (
    code !== undefined &&
    (code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || CERTIFICATE.has(code))
  );
}
