/**
 * The access policy (`src/runtime/access-policy.ts`): rules by source network, credential,
 * transport security and identity; refusals are AUTH_ERROR with the configured auth_stat; and
 * nothing of a refused call's arguments is decoded. Sources other than loopback are delivered
 * through a fake port (what a spoofing sender controls); the last test runs over real sockets.
 */
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import {
  AuthFlavor,
  AuthStat,
  accessPolicy,
  authSys,
  createClient,
  createServer,
  defineProgram,
  isRpcError,
  type PeerIdentity,
  xdr,
} from "../../src/index.js";
import { AUTH_NONE, type OpaqueAuth } from "../../src/oncrpc/auth.js";
import { AcceptStat, RejectStat } from "../../src/oncrpc/rpc-msg.js";
import { ProgramTable } from "../../src/runtime/dispatch.js";
import type { DispatchOutcome } from "../../src/runtime/transport.js";
import { type XdrCodec, XdrReader } from "../../src/xdr/index.js";
import {
  callBytes,
  collectingLogger,
  from,
  parseReply,
  spoofableServer,
} from "../helpers/spoof.js";

/** A string codec that counts how often it decodes. */
let decodes = 0;
const countingString: XdrCodec<string> = {
  name: "counting string",
  minSize: 4,
  encode: (w, v) => xdr.string().encode(w, v),
  decode: (r) => {
    decodes++;
    return xdr.string(64).decode(r);
  },
};

const P = defineProgram({
  name: "POLICY_PROG",
  program: 0x20005151,
  version: 1,
  procedures: {
    nul: { procedure: 0, name: "NULLPROC", args: [], result: xdr.void },
    echo: { procedure: 1, name: "ECHO", args: [countingString], result: xdr.string() },
    write: { procedure: 2, name: "WRITE", args: [countingString], result: xdr.int },
  },
});
const handlers = { echo: (s: string) => s, write: (s: string) => s.length };

const sys = (uid: number, gid: number, gids: number[] = [], machinename = "ws1") =>
  authSys({ stamp: 1, machinename, uid, gid, gids });

function table(policy: Parameters<typeof accessPolicy>[0]) {
  const t = new ProgramTable({
    interceptors: [accessPolicy(policy)],
    logger: collectingLogger().logger,
  });
  t.register(P, handlers);
  return t;
}

/** Dispatches ECHO("hi") (or `args`) as if it came from `address`. */
async function dispatch(
  t: ProgramTable,
  c: {
    address?: string;
    procedure?: number;
    credential?: OpaqueAuth;
    secure?: boolean;
    peer?: PeerIdentity;
    args?: Uint8Array;
  } = {},
): Promise<DispatchOutcome> {
  const w = new xdr.XdrWriter();
  w.writeString("hi");
  return t.dispatch({
    program: P.program,
    version: 1,
    procedure: c.procedure ?? 1,
    credential: c.credential ?? AUTH_NONE,
    verifier: AUTH_NONE,
    args: new XdrReader(c.args ?? w.finish()),
    remote: from(c.address ?? "10.1.2.3"),
    transport: "udp",
    signal: new AbortController().signal,
    ...(c.secure === undefined ? {} : { secure: c.secure }),
    ...(c.peer === undefined ? {} : { peer: c.peer }),
  });
}

const refusedWith = (o: DispatchOutcome, authStat: number = AuthStat.AUTH_TOOWEAK) =>
  assert.deepEqual(o, { status: "auth_error", authStat });

describe("access policy", () => {
  test("source networks: inside admitted, outside refused with AUTH_TOOWEAK", async () => {
    const t = table({ allow: [{ from: ["10.0.0.0/8", "2001:db8::/32"] }] });
    assert.equal((await dispatch(t, { address: "10.200.0.1" })).status, "success");
    assert.equal((await dispatch(t, { address: "2001:db8::7" })).status, "success");
    assert.equal((await dispatch(t, { address: "::ffff:10.0.0.1" })).status, "success");
    refusedWith(await dispatch(t, { address: "192.0.2.9" }));
    refusedWith(await dispatch(t, { address: "2001:db9::7" }));
  });

  test("AUTH_SYS uid, gid (primary or supplementary) and machine name", async () => {
    const t = table({
      allow: [{ uids: [1000] }, { gids: [50], machines: ["Build-1"] }],
    });
    assert.equal((await dispatch(t, { credential: sys(1000, 1) })).status, "success");
    assert.equal((await dispatch(t, { credential: sys(7, 50, [], "build-1") })).status, "success");
    assert.equal(
      (await dispatch(t, { credential: sys(7, 1, [3, 50], "BUILD-1") })).status,
      "success",
    );
    refusedWith(await dispatch(t, { credential: sys(7, 50, [], "ws9") }));
    refusedWith(await dispatch(t, { credential: sys(7, 1, [2, 3], "build-1") }));
    // a uid rule implies AUTH_SYS: AUTH_NONE is refused
    refusedWith(await dispatch(t));
  });

  test("flavors, procedures by number and name, programs", async () => {
    const t = table({
      allow: [{ procedures: [0, "ECHO"] }, { procedures: [2], flavors: [AuthFlavor.AUTH_SYS] }],
    });
    assert.equal((await dispatch(t, { procedure: 0 })).status, "success");
    assert.equal((await dispatch(t, { procedure: 1 })).status, "success");
    refusedWith(await dispatch(t, { procedure: 2 }));
    assert.equal((await dispatch(t, { procedure: 2, credential: sys(0, 0) })).status, "success");
    const other = table({ allow: [{ programs: [1] }] });
    refusedWith(await dispatch(other));
  });

  test("secure channels and authenticated peers", async () => {
    const peer: PeerIdentity = { scheme: "tls", id: "sha256/abc", publicKey: new Uint8Array(3) };
    const t = table({ allow: [{ secure: true, peers: ["sha256/abc"] }, { procedures: [0] }] });
    assert.equal((await dispatch(t, { secure: true, peer })).status, "success");
    refusedWith(await dispatch(t, { secure: false, peer }));
    refusedWith(await dispatch(t, { secure: true }));
    refusedWith(await dispatch(t, { secure: true, peer: { ...peer, id: "sha256/xyz" } }));
    const anySecure = table({ allow: [{ secure: true }] });
    assert.equal((await dispatch(anySecure, { secure: true })).status, "success");
    refusedWith(await dispatch(anySecure));
  });

  test("a refused call's arguments are never decoded, even when they are garbage", async () => {
    const t = table({ allow: [{ from: ["loopback"] }] });
    decodes = 0;
    refusedWith(await dispatch(t, { address: "192.0.2.1" }));
    refusedWith(await dispatch(t, { address: "192.0.2.1", args: new Uint8Array([0, 0, 9, 0]) }));
    assert.equal(decodes, 0);
    // admitted: decoded once; garbage from an admitted source is GARBAGE_ARGS
    assert.equal((await dispatch(t, { address: "127.0.0.1" })).status, "success");
    assert.equal(decodes, 1);
    assert.equal(
      (await dispatch(t, { address: "127.0.0.1", args: new Uint8Array([0, 0, 9, 0]) })).status,
      "garbage_args",
    );
  });

  test("custom auth_stat, onDeny, and the empty policy refusing everything", async () => {
    const denied: string[] = [];
    const t = table({
      allow: [{ when: (ctx) => ctx.remote?.port === 1 }],
      authStat: AuthStat.AUTH_BADCRED,
      onDeny: (ctx) => denied.push(`${ctx.procedureName}@${ctx.remote?.address}`),
    });
    refusedWith(await dispatch(t, { address: "10.9.9.9" }), AuthStat.AUTH_BADCRED);
    assert.deepEqual(denied, ["ECHO@10.9.9.9"]);
    refusedWith(await dispatch(table({ allow: [] }), { procedure: 0 }));
    assert.throws(() => accessPolicy({ allow: [{ from: ["10.0.0.0/99"] }] }), TypeError);
  });

  test("over a UDP server, spoofed sources get MSG_DENIED / AUTH_ERROR / AUTH_TOOWEAK", async () => {
    const t = table({ allow: [{ from: ["127.0.0.0/8"] }] });
    const { ask, server } = await spoofableServer(t);
    const echo = (xid: number) =>
      callBytes({
        xid,
        program: P.program,
        version: 1,
        procedure: 1,
        args: (w) => w.writeString("x"),
      });
    const [denied] = await ask(echo(7), from("198.51.100.4"));
    const d = parseReply(denied!);
    assert.equal(d.xid, 7);
    assert.deepEqual(
      [d.header.kind, d.header.stat, d.header.kind === "rejected" ? d.header.authStat : -1],
      ["rejected", RejectStat.AUTH_ERROR, AuthStat.AUTH_TOOWEAK],
    );
    const [ok] = await ask(echo(8), from("127.0.0.1"));
    const o = parseReply(ok!);
    assert.deepEqual([o.header.kind, o.header.stat], ["accepted", AcceptStat.SUCCESS]);
    assert.equal(o.body.readString(), "x");
    await server.close(0);
  });
});

describe("access policy over loopback sockets", () => {
  const servers: { close(graceMs?: number): Promise<void> }[] = [];
  after(() => Promise.all(servers.map((s) => s.close(0))));

  for (const proto of ["udp", "tcp"] as const) {
    test(`${proto}: AUTH_SYS uid rule; the client sees auth_error AUTH_TOOWEAK`, async () => {
      const server = createServer({
        logger: collectingLogger().logger,
        interceptors: [accessPolicy({ allow: [{ from: ["loopback"], uids: [1000] }] })],
      });
      servers.push(server);
      server.register(P, handlers);
      const [a] = await server.listen(`${proto}://127.0.0.1:0`);
      const target = `${proto}://127.0.0.1:${a!.port}`;
      assert.equal(await createClient(P, target, { credential: sys(1000, 1) }).echo("y"), "y");
      await assert.rejects(createClient(P, target, { credential: sys(0, 0) }).echo("y"), (e) => {
        assert.ok(isRpcError(e) && e.code === "auth_error" && e.remote);
        assert.equal(e.details.authStat, AuthStat.AUTH_TOOWEAK);
        return true;
      });
      await assert.rejects(createClient(P, target).nul(), { code: "auth_error" });
    });
  }
});
