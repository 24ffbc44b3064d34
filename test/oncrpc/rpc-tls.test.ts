/**
 * RPC-with-TLS (RFC 9289) over loopback: the AUTH_TLS probe and STARTTLS, TLS 1.3 with ALPN
 * sunrpc on the same connection, server authentication by CA and name or by pinned key, client
 * certificates as the caller's identity, and every refusal clear — with nothing of a call sent
 * (or run) when the security the client asked for is not there.
 */
import assert from "node:assert/strict";
import * as net from "node:net";
import { after, describe, test } from "node:test";
import * as tls from "node:tls";
import {
  AuthStat,
  accessPolicy,
  type CallContext,
  certificatePin,
  createClient,
  createServer,
  defineProgram,
  isRpcError,
  type ServerOptions,
  xdr,
} from "../../src/index.js";
import { AUTH_NONE, AuthFlavor } from "../../src/oncrpc/auth.js";
import { LAST_FRAGMENT } from "../../src/oncrpc/record-marking.js";
import { RejectStat, writeCallHeader } from "../../src/oncrpc/rpc-msg.js";
import { STARTTLS } from "../../src/oncrpc/tls-probe.js";
import type { OncTcpServer } from "../../src/transport/onc-tcp-server.js";
import { XdrWriter } from "../../src/xdr/index.js";
import { collectingLogger, parseReply } from "../helpers/spoof.js";
import { opensslMissing, tlsMaterial } from "../helpers/tls-certs.js";

const skip = opensslMissing();
const m = tlsMaterial();

const P = defineProgram({
  name: "TLS_PROG",
  program: 0x20007171,
  version: 1,
  procedures: {
    echo: { procedure: 1, name: "ECHO", args: [xdr.opaque()], result: xdr.opaque() },
    whoami: { procedure: 2, name: "WHOAMI", args: [], result: xdr.string() },
  },
});

let executed = 0;
const contexts: CallContext[] = [];
const handlers = {
  echo: (b: Uint8Array) => {
    executed++;
    return b;
  },
  whoami: (ctx: CallContext) => {
    executed++;
    contexts.push(ctx);
    return `${ctx.secure ? "secure" : "plain"} ${ctx.peer?.id ?? "anonymous"} ${ctx.peer?.subject ?? ""}`;
  },
};

const closers: (() => Promise<void>)[] = [];
after(() => Promise.all(closers.map((c) => c())));

async function serve(options: ServerOptions, scheme = "tcp+tls") {
  const { lines, logger } = collectingLogger();
  const server = createServer({ logger, closeGraceMs: 100, ...options });
  closers.push(() => server.close(0));
  server.register(P, handlers);
  const [a] = await server.listen(`${scheme}://127.0.0.1:0`);
  const transport = server.listening[0]!.transport as OncTcpServer;
  return { port: a!.port, lines, stats: transport.stats, server };
}

const unauthenticated = (pattern: RegExp) => (e: unknown) => {
  assert.ok(isRpcError(e), String(e));
  assert.equal(e.code, "unauthenticated", e.message);
  assert.equal(e.remote, false);
  assert.match(e.message, pattern);
  return true;
};

describe("RPC-with-TLS", { skip }, () => {
  const t = m!;

  test("certificates: CA and name verified; calls, big records and the context over TLS 1.3", async () => {
    const s = await serve({ tls: t.server });
    for (const host of ["127.0.0.1", "localhost"]) {
      const c = createClient(P, `tcp+tls://${host}:${s.port}`, { tls: { ca: t.ca } });
      assert.equal(await c.whoami(), "secure anonymous ");
      const big = Uint8Array.from({ length: 1024 * 1024 + 3 }, (_, i) => i & 0xff);
      const many = await Promise.all([
        c.echo(big),
        ...Array.from({ length: 200 }, (_, i) => c.echo(Uint8Array.of(i))),
      ]);
      assert.equal(Buffer.compare(many[0]!, big), 0);
      assert.deepEqual([...many[200]!], [199]);
      await c.$close();
    }
    assert.equal(contexts.at(-1)!.secure, true);
    assert.equal(contexts.at(-1)!.transport, "tcp");
    assert.equal(s.stats.tlsSessions, 2);
  });

  test("the wrong CA, or a name the certificate does not carry: unauthenticated, nothing sent", async () => {
    const s = await serve({ tls: t.server });
    const before = executed;
    const target = `tcp+tls://127.0.0.1:${s.port}`;
    await assert.rejects(
      createClient(P, target, { tls: { ca: t.otherCa } }).whoami(),
      unauthenticated(/TLS handshake failed: .*(unable to verify|UNABLE_TO_VERIFY)/i),
    );
    await assert.rejects(
      createClient(P, target, { tls: { ca: t.ca, servername: "nfs.example" } }).whoami(),
      unauthenticated(/TLS handshake failed: .*nfs\.example/),
    );
    // Node's default roots do not know a private CA
    await assert.rejects(createClient(P, target).whoami(), unauthenticated(/TLS handshake failed/));
    assert.equal(executed, before);
  });

  test("pinned keys: a self-signed server is accepted by its pin, refused by any other", async () => {
    const s = await serve({ tls: t.selfSigned });
    const target = `tcp+tls://127.0.0.1:${s.port}`;
    const pin = certificatePin(t.selfSigned.cert);
    assert.match(pin, /^sha256\/[A-Za-z0-9+/]{43}=$/);
    const ok = createClient(P, target, { tls: { pins: [pin] } });
    assert.equal(await ok.whoami(), "secure anonymous ");
    await ok.$close();
    const before = executed;
    await assert.rejects(
      createClient(P, target, { tls: { pins: [certificatePin(t.server.cert)] } }).whoami(),
      unauthenticated(/the server's key sha256\/.* is not pinned/),
    );
    // a pin and a CA: both must hold (the self-signed certificate fails the CA)
    await assert.rejects(
      createClient(P, target, { tls: { pins: [pin], ca: t.ca } }).whoami(),
      unauthenticated(/TLS handshake failed/),
    );
    assert.equal(executed, before);
    assert.throws(() => certificatePin("not a certificate"));
  });

  test("a server without RPC-with-TLS is refused clearly; the client never falls back to clear text", async () => {
    const s = await serve({}, "tcp");
    const before = executed;
    await assert.rejects(
      createClient(P, `tcp+tls://127.0.0.1:${s.port}`, { tls: { ca: t.ca } }).whoami(),
      (e) => {
        unauthenticated(
          /does not support RPC-with-TLS \(RFC 9289\): it answered the AUTH_TLS probe with AUTH_ERROR \(auth_stat 2\); refusing to send calls in clear/,
        )(e);
        assert.equal((e as { details: { authStat?: number } }).details.authStat, 2);
        return true;
      },
    );
    assert.equal(executed, before);
  });

  test("calls in clear to a TLS server get AUTH_TOOWEAK, unless allowPlain", async () => {
    const s = await serve({ tls: t.server });
    await assert.rejects(createClient(P, `tcp://127.0.0.1:${s.port}`).whoami(), (e) => {
      assert.ok(
        isRpcError(e) && e.code === "auth_error" && e.details.authStat === AuthStat.AUTH_TOOWEAK,
      );
      return true;
    });
    assert.equal(s.stats.plainRefused, 1);
    const open = await serve({ tls: { ...t.server, allowPlain: true } });
    assert.equal(
      await createClient(P, `tcp://127.0.0.1:${open.port}`).whoami(),
      "plain anonymous ",
    );
    const c = createClient(P, `tcp+tls://127.0.0.1:${open.port}`, { tls: { ca: t.ca } });
    assert.equal(await c.whoami(), "secure anonymous ");
    await c.$close();
  });

  test("client certificates: the caller's identity, allow-lists, and clear refusals", async () => {
    const s = await serve({ tls: { ...t.server, ca: t.ca } });
    const target = `tcp+tls://127.0.0.1:${s.port}`;
    const good = createClient(P, target, { tls: { ca: t.ca, ...t.client } });
    assert.equal(await good.whoami(), `secure ${certificatePin(t.client.cert)} CN=client-1`);
    const ctx = contexts.at(-1)!;
    assert.equal(ctx.peer?.scheme, "tls");
    assert.ok(ctx.peer!.publicKey.length > 32);
    await good.$close();
    const before = executed;
    await assert.rejects(
      createClient(P, target, { tls: { ca: t.ca } }).whoami(),
      unauthenticated(/refused this client|certificate/i),
    );
    await assert.rejects(
      createClient(P, target, { tls: { ca: t.ca, ...t.otherClient } }).whoami(),
      unauthenticated(/refused this client|certificate|unknown ca/i),
    );
    assert.equal(executed, before);

    // An allow-list of pinned client keys (self-signed client certificates)
    const pinned = await serve({
      tls: { ...t.server, clientPins: [certificatePin(t.selfSignedClient.cert)] },
    });
    const pt = `tcp+tls://127.0.0.1:${pinned.port}`;
    const mine = createClient(P, pt, { tls: { ca: t.ca, ...t.selfSignedClient } });
    assert.match(await mine.whoami(), /^secure sha256\/.* CN=client-3$/);
    await mine.$close();
    await assert.rejects(
      createClient(P, pt, { tls: { ca: t.ca, ...t.client } }).whoami(),
      unauthenticated(/closed the connection right after the TLS handshake|refused this client/),
    );
    assert.equal(executed, before + 1);
    assert.ok(pinned.stats.tlsFailures >= 1);
    assert.match(pinned.lines.join("\n"), /not on the allow-list/);
  });

  test("identity-based access policy over TLS", async () => {
    const s = await serve({
      tls: { ...t.server, ca: t.ca, clientCertificates: "optional" },
      interceptors: [
        accessPolicy({ allow: [{ secure: true, peers: [certificatePin(t.client.cert)] }] }),
      ],
    });
    const target = `tcp+tls://127.0.0.1:${s.port}`;
    assert.match(
      await createClient(P, target, { tls: { ca: t.ca, ...t.client } }).whoami(),
      /CN=client-1/,
    );
    await assert.rejects(createClient(P, target, { tls: { ca: t.ca } }).whoami(), (e) => {
      assert.ok(
        isRpcError(e) && e.code === "auth_error" && e.details.authStat === AuthStat.AUTH_TOOWEAK,
      );
      return true;
    });
  });

  test("the wire: probe edge cases as Linux's svcauth_tls_accept answers them", async () => {
    const s = await serve({ tls: { ...t.server, handshakeTimeoutMs: 300 } });
    const call = (
      xid: number,
      c: { procedure?: number; credBody?: number; verifier?: boolean },
    ) => {
      const w = new XdrWriter();
      w.writeUint(0);
      writeCallHeader(w, {
        xid,
        program: P.program,
        version: 1,
        procedure: c.procedure ?? 0,
        credential: { flavor: AuthFlavor.AUTH_TLS, body: new Uint8Array(c.credBody ?? 0) },
        verifier: c.verifier === true ? { flavor: 0, body: new Uint8Array(4) } : AUTH_NONE,
      });
      const b = w.finish().slice();
      new DataView(b.buffer).setUint32(0, (LAST_FRAGMENT | (b.length - 4)) >>> 0);
      return b;
    };
    const exchange = (bytes: Uint8Array, waitMs = 150) =>
      new Promise<{ reply: Uint8Array | undefined; closed: boolean }>((resolve) => {
        const sock = net.connect(s.port, "127.0.0.1", () => sock.write(bytes));
        let got = Buffer.alloc(0);
        sock.on("data", (d) => {
          got = Buffer.concat([got, d]);
        });
        sock.on("close", () =>
          resolve({ reply: got.length > 4 ? got.subarray(4) : undefined, closed: true }),
        );
        sock.on("error", () => {});
        setTimeout(() => {
          resolve({ reply: got.length > 4 ? got.subarray(4) : undefined, closed: false });
          sock.destroy();
        }, waitMs);
      });
    const authStat = (r: Uint8Array | undefined) => {
      const h = parseReply(r!).header;
      assert.equal(h.kind, "rejected");
      assert.equal(h.stat, RejectStat.AUTH_ERROR);
      return h.kind === "rejected" ? h.authStat : -1;
    };
    assert.equal(authStat((await exchange(call(1, { credBody: 4 }))).reply), AuthStat.AUTH_BADCRED);
    assert.equal(
      authStat((await exchange(call(2, { procedure: 1 }))).reply),
      AuthStat.AUTH_BADCRED,
    );
    assert.equal(
      authStat((await exchange(call(3, { verifier: true }))).reply),
      AuthStat.AUTH_BADVERF,
    );
    // a client that does not wait for the answer: the connection is closed, nothing answered
    const piped = await exchange(Buffer.concat([call(4, {}), Buffer.from([22, 3, 1, 0, 5])]));
    assert.equal(piped.reply, undefined);
    assert.equal(piped.closed, true);
    assert.match(s.lines.join("\n"), /bytes after its AUTH_TLS probe/);
    // the yes: STARTTLS in the verifier; then silence: the server gives up after the handshake
    // timeout (300 ms here), closes the connection and counts it
    const failuresBefore = s.stats.tlsFailures;
    const yes = await exchange(call(5, {}), 700);
    const h = parseReply(yes.reply!).header;
    assert.ok(h.kind === "accepted" && Buffer.from(h.verifier.body).equals(Buffer.from(STARTTLS)));
    assert.equal(yes.closed, true);
    assert.equal(s.stats.tlsFailures, failuresBefore + 1);
    assert.equal(s.stats.open, 0);
  });

  test("a second probe inside TLS is refused with AUTH_BADCRED; ALPN is sunrpc", async () => {
    const s = await serve({ tls: t.server });
    const sock = net.connect(s.port, "127.0.0.1");
    await new Promise((r) => sock.once("connect", r));
    const probe = (xid: number) => {
      const w = new XdrWriter();
      w.writeUint(0);
      writeCallHeader(w, {
        xid,
        program: P.program,
        version: 1,
        procedure: 0,
        credential: { flavor: AuthFlavor.AUTH_TLS, body: new Uint8Array(0) },
        verifier: AUTH_NONE,
      });
      const b = w.finish().slice();
      new DataView(b.buffer).setUint32(0, (LAST_FRAGMENT | (b.length - 4)) >>> 0);
      return b;
    };
    sock.write(probe(10));
    await new Promise((r) => sock.once("data", r));
    const secure = tls.connect({
      socket: sock,
      ca: t.ca,
      servername: "localhost",
      ALPNProtocols: ["sunrpc"],
    });
    await new Promise((r) => secure.once("secureConnect", r));
    assert.equal(secure.alpnProtocol, "sunrpc");
    assert.equal(secure.getProtocol(), "TLSv1.3");
    secure.write(probe(11));
    const d = (await new Promise((r) => secure.once("data", r))) as Buffer;
    const h = parseReply(d.subarray(4)).header;
    assert.ok(h.kind === "rejected" && h.authStat === AuthStat.AUTH_BADCRED);
    secure.destroy();
  });

  test("a tcp+tls listener without certificate options fails at listen", async () => {
    const server = createServer({ logger: collectingLogger().logger });
    closers.push(() => server.close(0));
    await assert.rejects(server.listen("tcp+tls://127.0.0.1:0"), /needs the tls option/);
    await assert.rejects(
      createServer({ tls: { ...t.server, clientCertificates: "required" } }).listen(
        "tcp+tls://127.0.0.1:0",
      ),
      /need a CA|pins/,
    );
  });
});
