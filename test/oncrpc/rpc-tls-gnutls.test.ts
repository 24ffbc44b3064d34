/**
 * RPC-with-TLS against another TLS implementation: GnuTLS, the library Linux's `tlshd` (the
 * handshake daemon of the kernel's NFS client and server) uses. Node's TLS is OpenSSL, so a
 * Lupine-to-Lupine test cannot show that the handshake, the certificate checks and ALPN work
 * with anything else. `gnutls-cli` cannot send an ONC RPC probe itself, so a relay does the
 * AUTH_TLS probe with the Lupine server and then joins the two connections: what follows is
 * GnuTLS's handshake with the Lupine server, then an RPC call and its reply inside TLS.
 * Skips unless `gnutls-cli` (Debian package gnutls-bin) is installed.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import * as net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { createServer, defineProgram, xdr } from "../../src/index.js";
import { AUTH_NONE } from "../../src/oncrpc/auth.js";
import { LAST_FRAGMENT } from "../../src/oncrpc/record-marking.js";
import { writeCallHeader } from "../../src/oncrpc/rpc-msg.js";
import { AUTH_TLS } from "../../src/oncrpc/tls-probe.js";
import { XdrReader, XdrWriter } from "../../src/xdr/index.js";
import { collectingLogger } from "../helpers/spoof.js";
import { opensslMissing, tlsMaterial } from "../helpers/tls-certs.js";

const gnutls = spawnSync("gnutls-cli", ["--version"], { stdio: "ignore" }).status === 0;
const skip =
  opensslMissing() ??
  (gnutls ? undefined : "gnutls-cli is missing (Debian package gnutls-bin): no GnuTLS peer");

const P = defineProgram({
  name: "TLS_PROG",
  program: 0x20007171,
  version: 1,
  procedures: { hello: { procedure: 1, name: "HELLO", args: [], result: xdr.string() } },
});

function record(xid: number, procedure: number, tls: boolean): Uint8Array {
  const w = new XdrWriter();
  w.writeUint(0);
  writeCallHeader(w, {
    xid,
    program: P.program,
    version: 1,
    procedure,
    credential: tls ? AUTH_TLS : AUTH_NONE,
    verifier: AUTH_NONE,
  });
  const b = w.finish().slice();
  new DataView(b.buffer).setUint32(0, (LAST_FRAGMENT | (b.length - 4)) >>> 0);
  return b;
}

describe("RPC-with-TLS with a GnuTLS client", { skip }, () => {
  const closers: (() => unknown)[] = [];
  after(async () => {
    for (const c of closers) await c();
  });

  /** gnutls-cli through a probing relay to a Lupine tcp+tls server; its stdout and stderr. */
  async function gnutlsCall(caPem: string) {
    const dir = mkdtempSync(join(tmpdir(), "lupine-gnutls-"));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "ca.pem"), caPem);
    const m = tlsMaterial()!;
    const server = createServer({ tls: m.server, logger: collectingLogger().logger });
    closers.push(() => server.close(0));
    server.register(P, { hello: (ctx) => `hello over ${ctx.secure ? "TLS" : "clear"}` });
    const [a] = await server.listen("tcp+tls://127.0.0.1:0");
    const relay = net.createServer((client) => {
      client.pause();
      client.on("error", () => {});
      const up = net.connect(a!.port, "127.0.0.1", () => up.write(record(1, 0, true)));
      up.on("error", () => client.destroy());
      up.once("data", () => {
        client.pipe(up);
        up.pipe(client);
        client.resume();
      });
    });
    closers.push(() => new Promise((r) => relay.close(r)));
    await new Promise<void>((r) => relay.listen(0, "127.0.0.1", r));
    const port = (relay.address() as net.AddressInfo).port;
    const cli = spawn("gnutls-cli", [
      "-p",
      String(port),
      "127.0.0.1",
      "--x509cafile",
      join(dir, "ca.pem"),
      "--alpn",
      "sunrpc",
      "--priority",
      "NORMAL:-VERS-ALL:+VERS-TLS1.3",
    ]);
    // gnutls-cli prints its session report on stdout, then what the server sends.
    let out = Buffer.alloc(0);
    let err = "";
    let sent = false;
    const replyMark = Buffer.from([0, 0, 0, 2]); // the call's xid, after a record mark
    cli.stdout.on("data", (d: Buffer) => {
      out = Buffer.concat([out, d]);
      if (!sent && out.includes("Handshake was completed")) {
        sent = true;
        cli.stdin.write(record(2, 1, false));
      }
      const at = out.indexOf(replyMark, out.indexOf("Handshake was completed"));
      if (sent && at >= 4 && out.length >= at + 24 + 4 + 16) cli.kill();
    });
    cli.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const timer = setTimeout(() => cli.kill(), 10_000);
    const code = await new Promise<number | null>((r) => cli.on("close", r));
    clearTimeout(timer);
    return { out, err, code };
  }

  test("TLS 1.3 handshake, certificate check, ALPN sunrpc, and a call inside TLS", async () => {
    const { out } = await gnutlsCall(tlsMaterial()!.ca);
    const report = out.toString("latin1");
    assert.match(report, /Handshake was completed/);
    assert.match(report, /TLS1\.3/);
    assert.match(report, /Application protocol: sunrpc/i);
    const at = out.indexOf(Buffer.from([0, 0, 0, 2]), report.indexOf("Handshake was completed"));
    assert.ok(at >= 4, "a reply to the call");
    const r = new XdrReader(out, at + 24);
    assert.equal(r.readString(), "hello over TLS");
  });

  test("GnuTLS refuses a server whose certificate the CA did not sign", async () => {
    const { out, err, code } = await gnutlsCall(tlsMaterial()!.otherCa);
    assert.notEqual(code, 0);
    assert.match(err, /Error in the certificate/);
    assert.match(out.toString("latin1"), /issuer is unknown|not trusted/i);
    assert.doesNotMatch(out.toString("latin1"), /Handshake was completed/);
  });
});
