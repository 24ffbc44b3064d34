/**
 * RPC authentication (RFC 5531 §8.2, §10, Appendix A): the `opaque_auth` carried in every call
 * and reply, AUTH_NONE, and AUTH_SYS.
 *
 * AUTH_SYS is identification, not authentication: anyone can send any uid. Bodies are bounded to
 * the RFC's sizes before anything is allocated (body ≤ 400 bytes, machinename ≤ 255 bytes, at
 * most 16 gids), so a hostile credential costs nothing.
 */
import { XdrError, XdrReader, XdrWriter } from "../xdr/index.js";

/** RFC 5531 §8.2 `auth_flavor` values this package knows by name. */
export const AuthFlavor = {
  AUTH_NONE: 0,
  AUTH_SYS: 1,
  AUTH_SHORT: 2,
  AUTH_DH: 3,
  RPCSEC_GSS: 6,
  /** RFC 9289: the probe that asks a server for RPC-with-TLS. */
  AUTH_TLS: 7,
} as const;

/** RFC 5531 §8.2: an `opaque_auth` body holds at most 400 bytes. */
export const MAX_AUTH_BYTES = 400;
/** RFC 5531 Appendix A: `string machinename<255>`. */
export const MAX_MACHINE_NAME = 255;
/** RFC 5531 Appendix A: `unsigned int gids<16>`. */
export const MAX_GIDS = 16;

/** An `opaque_auth` (RFC 5531 §8.2): flavor and raw body (at most 400 bytes). */
export interface OpaqueAuth {
  readonly flavor: number;
  readonly body: Uint8Array;
}

/** The AUTH_SYS credential body (RFC 5531 Appendix A `authsys_parms`). */
export interface AuthSysParams {
  readonly stamp: number;
  readonly machinename: string;
  readonly uid: number;
  readonly gid: number;
  readonly gids: readonly number[];
}

const EMPTY = new Uint8Array(0);

/** The AUTH_NONE credential or verifier (RFC 5531 §10.1): flavor 0, empty body. */
export const AUTH_NONE: OpaqueAuth = Object.freeze({ flavor: AuthFlavor.AUTH_NONE, body: EMPTY });

/** Writes an `opaque_auth`; throws `XdrError` if the body exceeds 400 bytes. */
export function writeOpaqueAuth(w: XdrWriter, auth: OpaqueAuth): void {
  w.writeUint(auth.flavor);
  w.writeVarOpaque(auth.body, MAX_AUTH_BYTES);
}

/**
 * Reads an `opaque_auth`. The body is a view into the input (no copy); a length over 400 is an
 * `XdrError` raised before anything is allocated.
 */
export function readOpaqueAuth(r: XdrReader): OpaqueAuth {
  const flavor = r.readUint();
  if (flavor === 0 && r.remaining >= 4 && r.view.getUint32(r.pos) === 0) {
    r.pos += 4;
    return AUTH_NONE;
  }
  return { flavor, body: r.readVarOpaque(MAX_AUTH_BYTES) };
}

/** Encodes an AUTH_SYS body (RFC 5531 Appendix A); throws `XdrError` past the RFC's bounds. */
export function encodeAuthSys(params: AuthSysParams): Uint8Array {
  const w = new XdrWriter(64);
  w.writeUint(params.stamp >>> 0);
  w.writeString(params.machinename, MAX_MACHINE_NAME);
  w.writeUint(params.uid);
  w.writeUint(params.gid);
  w.writeArrayLength(params.gids as unknown[], MAX_GIDS, false);
  for (const g of params.gids) w.writeUint(g);
  const body = w.finish();
  if (body.length > MAX_AUTH_BYTES) {
    throw new XdrError(`AUTH_SYS body of ${body.length} bytes exceeds ${MAX_AUTH_BYTES}`, 0);
  }
  return body;
}

/**
 * Decodes an AUTH_SYS body; it must span the whole body. Throws `XdrError` on anything malformed
 * (a server answers that with AUTH_ERROR / AUTH_BADCRED).
 */
export function decodeAuthSys(body: Uint8Array): AuthSysParams {
  if (body.length > MAX_AUTH_BYTES) {
    throw new XdrError(`AUTH_SYS body of ${body.length} bytes exceeds ${MAX_AUTH_BYTES}`, 0);
  }
  const r = new XdrReader(body);
  const stamp = r.readUint();
  const machinename = r.readString(MAX_MACHINE_NAME);
  const uid = r.readUint();
  const gid = r.readUint();
  const n = r.readLength(MAX_GIDS, 4, "gids");
  const gids: number[] = new Array(n);
  for (let i = 0; i < n; i++) gids[i] = r.readUint();
  r.assertEnd();
  return { stamp, machinename, uid, gid, gids };
}

/** An AUTH_SYS credential (flavor 1) for `params`, ready to send. */
export function authSys(params: AuthSysParams): OpaqueAuth {
  return { flavor: AuthFlavor.AUTH_SYS, body: encodeAuthSys(params) };
}
