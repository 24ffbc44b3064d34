/**
 * RPC-with-TLS, client side (RFC 9289 §4.1): turns a fresh TCP connection into an encrypted one
 * before any call is sent on it. `OncTcpClient` calls this from its `connect`, so calls wait
 * for it and a failure fails them without anything having been sent.
 *
 * 1. The AUTH_TLS probe (a NULL call, `oncrpc/tls-probe.ts`). Any answer but `STARTTLS` means
 *    the server does not do RPC-with-TLS: `unauthenticated`, never a fall back to clear text.
 * 2. The TLS 1.3 handshake on the same connection (`upgrade`, injected: `io/node/tls.ts`), which
 *    checks the server's certificate or pinned key.
 * 3. One NULL call inside TLS, answered before the connection is handed over. In TLS 1.3 a
 *    server judges the client's certificate only after the client has finished its side of the
 *    handshake; without this round trip a refused client would see its first real calls fail as
 *    `outcome_unknown` on a broken connection instead of a clear `unauthenticated`.
 */
import type { ByteStream, Clock, Random, TimerHandle } from "../io/index.js";
import { AUTH_NONE } from "../oncrpc/auth.js";
import { LAST_FRAGMENT, RecordDecoder } from "../oncrpc/record-marking.js";
import { readReplyAfterXid, writeCallHeader } from "../oncrpc/rpc-msg.js";
import { describeProbeAnswer, isStartTls, writeTlsProbe } from "../oncrpc/tls-probe.js";
import { RpcError, type RpcErrorCode } from "../runtime/errors.js";
import { XdrReader, XdrWriter } from "../xdr/index.js";

/** Options of {@link startTlsClient}. */
export interface StartTlsClientOptions {
  /** `tcp+tls://host:port`, for messages. */
  readonly name: string;
  /** The program and version the probe and the NULL call name (the client's own). */
  readonly program: number;
  readonly version: number;
  readonly clock: Clock;
  readonly random: Random;
  /** Time for all three steps (ms). */
  readonly timeoutMs: number;
  /** Runs the TLS handshake on the connection; rejects when the server does not verify. */
  readonly upgrade: (stream: ByteStream) => Promise<ByteStream>;
  /** The `RpcError` code for an error of the stream or of `upgrade` (TLS alerts: unauthenticated). */
  readonly errorCode: (e: unknown) => RpcErrorCode;
}

/** Why {@link exchange} got no reply. */
class NoReply extends Error {
  constructor(
    readonly why: "closed" | "timeout" | "protocol",
    message: string,
    readonly error?: Error,
  ) {
    super(message);
  }
}

/** Sends one record and resolves with the one record that answers it (matched by xid). */
function exchange(
  stream: ByteStream,
  message: Uint8Array,
  xid: number,
  clock: Clock,
  timeoutMs: number,
): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const decoder = new RecordDecoder({ maxRecordSize: 4096 });
    let reply: Uint8Array | undefined;
    let done = false;
    let timer: TimerHandle | undefined;
    const finish = (e: NoReply | undefined) => {
      if (done) return;
      done = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      stream.onData(() => {});
      stream.onClose(() => {});
      if (e === undefined && reply !== undefined) resolve(reply);
      else reject(e);
    };
    timer = clock.setTimeout(
      () => finish(new NoReply("timeout", `no answer within ${timeoutMs} ms`)),
      Math.max(0, timeoutMs),
    );
    stream.onData((chunk) => {
      const err = decoder.push(chunk, (record) => {
        if (reply !== undefined) return finish(new NoReply("protocol", "two records for one call"));
        const r = new XdrReader(record);
        if (record.length < 4 || r.readUint() !== xid) {
          return finish(new NoReply("protocol", "a record that does not answer the call"));
        }
        reply = record;
      });
      if (err !== null) return finish(new NoReply("protocol", `a record of ${err.size} bytes`));
      if (reply === undefined) return;
      // Nothing may follow the answer: the next bytes belong to TLS or to calls not yet made.
      if (!decoder.idle) return finish(new NoReply("protocol", "bytes after the answer"));
      finish(undefined);
    });
    stream.onClose((error) =>
      finish(new NoReply("closed", error?.message ?? "the server closed the connection", error)),
    );
    stream.write(frame(message));
  });
}

function frame(message: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + message.length);
  new DataView(out.buffer).setUint32(0, (LAST_FRAGMENT | message.length) >>> 0);
  out.set(message, 4);
  return out;
}

/** See the module comment. Resolves with the TLS stream, or rejects with an `RpcError`. */
export async function startTlsClient(
  stream: ByteStream,
  o: StartTlsClientOptions,
): Promise<ByteStream> {
  const end = o.clock.now() + o.timeoutMs;
  const left = () => end - o.clock.now();
  const fail = (code: RpcErrorCode, message: string, cause?: unknown, authStat?: number) =>
    new RpcError(code, `${o.name}: ${message}`, {
      remote: false,
      ...(cause === undefined ? {} : { cause }),
      ...(authStat === undefined ? {} : { details: { authStat } }),
    });

  // 1. The probe.
  const w = new XdrWriter(64);
  const probeXid = o.random.nextU32();
  writeTlsProbe(w, probeXid, o.program, o.version);
  let answer: Uint8Array;
  try {
    answer = await exchange(stream, w.finish().slice(), probeXid, o.clock, left());
  } catch (e) {
    stream.destroy();
    const n = e as NoReply;
    throw n.why === "protocol"
      ? fail("malformed", `unexpected answer to the RPC-with-TLS probe: ${n.message}`)
      : fail(
          "unreachable",
          `no answer to the RPC-with-TLS (AUTH_TLS) probe: ${n.message}`,
          n.error,
        );
  }
  const r = new XdrReader(answer, 4);
  let header: ReturnType<typeof readReplyAfterXid>;
  try {
    header = readReplyAfterXid(r);
  } catch (e) {
    stream.destroy();
    throw fail("malformed", `bad answer to the RPC-with-TLS probe: ${(e as Error).message}`, e);
  }
  if (!isStartTls(header)) {
    stream.destroy();
    throw fail(
      "unauthenticated",
      `the server does not support RPC-with-TLS (RFC 9289): it answered the AUTH_TLS probe with ${describeProbeAnswer(header)}; refusing to send calls in clear`,
      undefined,
      header.kind === "rejected" ? header.authStat : undefined,
    );
  }

  // 2. The handshake.
  let secure: ByteStream;
  try {
    secure = await o.upgrade(stream);
  } catch (e) {
    stream.destroy();
    const code = o.errorCode(e);
    throw fail(
      code === "unauthenticated" ? code : "unreachable",
      `TLS handshake failed: ${(e as Error).message}`,
      e,
    );
  }

  // 3. One NULL call inside TLS: the server has accepted this client.
  const nul = new XdrWriter(64);
  const nullXid = o.random.nextU32();
  writeCallHeader(nul, {
    xid: nullXid,
    program: o.program,
    version: o.version,
    procedure: 0,
    credential: AUTH_NONE,
    verifier: AUTH_NONE,
  });
  try {
    await exchange(secure, nul.finish().slice(), nullXid, o.clock, left());
  } catch (e) {
    secure.destroy();
    const n = e as NoReply;
    if (n.why === "timeout") throw fail("unreachable", `no answer inside TLS: ${n.message}`);
    if (n.why === "protocol") throw fail("malformed", `inside TLS: ${n.message}`);
    const code = n.error === undefined ? "unauthenticated" : o.errorCode(n.error);
    throw fail(
      code === "unauthenticated" ? code : "unreachable",
      n.error === undefined
        ? "the server closed the connection right after the TLS handshake, before answering: it refused this client's certificate or key"
        : `the server refused this client after the TLS handshake: ${n.message}`,
      n.error,
    );
  }
  return secure;
}
