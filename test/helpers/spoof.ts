/**
 * An ONC RPC UDP server behind a {@link FakePort}: the test hands it calls "from" any address it
 * likes — exactly what a spoofing attacker controls — and reads what the server sent where.
 */
import type { Endpoint } from "../../src/io/index.js";
import { nodeClock } from "../../src/io/node/clock.js";
import { AUTH_NONE, type OpaqueAuth } from "../../src/oncrpc/auth.js";
import { type ReplyHeader, readReplyAfterXid, writeCallHeader } from "../../src/oncrpc/rpc-msg.js";
import type { Logger } from "../../src/runtime/logger.js";
import type { Dispatcher } from "../../src/runtime/transport.js";
import { OncUdpServer, type OncUdpServerOptions } from "../../src/transport/onc-udp-server.js";
import { XdrReader, XdrWriter } from "../../src/xdr/index.js";
import { FakePort } from "./fake-port.js";

/** An endpoint for an address (IPv4 unless it has a colon). */
export function from(address: string, port = 40_000): Endpoint {
  return { address, port, family: address.includes(":") ? "IPv6" : "IPv4" };
}

/** The bytes of one call. */
export function callBytes(c: {
  xid: number;
  program: number;
  version: number;
  procedure: number;
  credential?: OpaqueAuth;
  args?: (w: XdrWriter) => void;
}): Uint8Array {
  const w = new XdrWriter();
  writeCallHeader(w, {
    xid: c.xid,
    program: c.program,
    version: c.version,
    procedure: c.procedure,
    credential: c.credential ?? AUTH_NONE,
    verifier: AUTH_NONE,
  });
  c.args?.(w);
  return w.finish().slice();
}

/** A reply's header, and a reader at its results. */
export function parseReply(bytes: Uint8Array): {
  xid: number;
  header: ReplyHeader;
  body: XdrReader;
} {
  const r = new XdrReader(bytes);
  const xid = r.readUint();
  return { xid, header: readReplyAfterXid(r), body: r };
}

/** A collecting logger. */
export function collectingLogger(): { lines: string[]; logger: Logger } {
  const lines: string[] = [];
  return {
    lines,
    logger: {
      error: (m, e) => lines.push(`${m}: ${(e as Error)?.message}`),
      warn: (m) => lines.push(m),
    },
  };
}

/** A UDP server on a fake port; `ask` delivers a call from `source` and returns what came back. */
export async function spoofableServer(
  dispatcher: Dispatcher,
  options: Partial<Omit<OncUdpServerOptions, "port" | "clock">> = {},
) {
  const port = new FakePort(from("192.0.2.1", 111));
  const server = new OncUdpServer({ port, clock: nodeClock, ...options });
  await server.listen(dispatcher);
  /** Delivers `bytes` from `source`; resolves with the datagrams sent back to it (after async handlers). */
  const ask = async (bytes: Uint8Array, source: Endpoint): Promise<Uint8Array[]> => {
    const before = port.sent.length;
    port.deliver(bytes, source);
    await new Promise((r) => setImmediate(r));
    return port.sent
      .slice(before)
      .filter((s) => s.to.address === source.address && s.to.port === source.port)
      .map((s) => s.data);
  };
  return { port, server, ask };
}
