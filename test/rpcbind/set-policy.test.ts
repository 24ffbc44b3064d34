/**
 * The binder's registration rule (`src/rpcbind/server.ts`): port mapper v2 and RPCBIND v3/v4 SET
 * and UNSET are accepted only from loopback by default, as the system rpcbind's `check_access`;
 * from anywhere else they are refused with AUTH_ERROR / AUTH_TOOWEAK and the table is untouched.
 * `setAllowedFrom` and `allowRemoteSet` widen it. Other hosts are played by spoofed sources on a
 * fake port; loopback by a real `lupine rpcbind` on ephemeral ports.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { AuthStat } from "../../src/index.js";
import { AcceptStat, RejectStat } from "../../src/oncrpc/rpc-msg.js";
import { RpcbindClient } from "../../src/rpcbind/client.js";
import { startRpcbind } from "../../src/rpcbind/daemon.js";
import {
  IPPROTO_UDP,
  PMAPPROC_SET,
  PMAPPROC_UNSET,
  PmapProgV2,
  RPCBPROC_SET,
  RPCBPROC_UNSET,
  RpcbprogV3,
  RpcbprogV4,
  xdr_mapping,
  xdr_rpcb,
} from "../../src/rpcbind/gen/rpcbind.js";
import { createRpcbindService, type RpcbindServiceOptions } from "../../src/rpcbind/server.js";
import { ProgramTable } from "../../src/runtime/dispatch.js";
import type { XdrWriter } from "../../src/xdr/index.js";
import { oncTransport } from "../helpers/onc.js";
import {
  callBytes,
  collectingLogger,
  from,
  parseReply,
  spoofableServer,
} from "../helpers/spoof.js";

const PROG = 0x20009999;

async function binder(options: Partial<RpcbindServiceOptions> = {}) {
  const service = createRpcbindService({ wallClockSeconds: () => 0, ...options });
  const table = new ProgramTable({ logger: collectingLogger().logger });
  table.register(PmapProgV2, service.v2);
  table.register(RpcbprogV3, service.v3);
  table.register(RpcbprogV4, service.v4);
  const { ask, server } = await spoofableServer(table);
  let xid = 1;
  /** Every registration call of every version, from `address`; the answers in order. */
  const registerAll = async (address: string) => {
    const out: { kind: string; stat: number; authStat: number; value: boolean | undefined }[] = [];
    const calls = [
      {
        version: 2,
        procedure: PMAPPROC_SET,
        args: (w: XdrWriter) =>
          xdr_mapping.encode(w, { prog: PROG, vers: 1, prot: IPPROTO_UDP, port: 999 }),
      },
      {
        version: 3,
        procedure: RPCBPROC_SET,
        args: (w: XdrWriter) =>
          xdr_rpcb.encode(w, {
            r_prog: PROG,
            r_vers: 3,
            r_netid: "tcp",
            r_addr: "10.0.0.1.3.231",
            r_owner: "x",
          }),
      },
      {
        version: 4,
        procedure: RPCBPROC_SET,
        args: (w: XdrWriter) =>
          xdr_rpcb.encode(w, {
            r_prog: PROG,
            r_vers: 3,
            r_netid: "udp",
            r_addr: "10.0.0.1.3.231",
            r_owner: "x",
          }),
      },
      {
        version: 2,
        procedure: PMAPPROC_UNSET,
        args: (w: XdrWriter) => xdr_mapping.encode(w, { prog: PROG, vers: 1, prot: 0, port: 0 }),
      },
      {
        version: 4,
        procedure: RPCBPROC_UNSET,
        args: (w: XdrWriter) =>
          xdr_rpcb.encode(w, { r_prog: PROG, r_vers: 3, r_netid: "", r_addr: "", r_owner: "" }),
      },
    ];
    for (const c of calls) {
      const [reply] = await ask(callBytes({ xid: xid++, program: 100000, ...c }), from(address));
      const r = parseReply(reply!);
      const h = r.header;
      out.push({
        kind: h.kind,
        stat: h.stat,
        authStat: h.kind === "rejected" ? h.authStat : 0,
        value:
          h.kind === "accepted" && h.stat === AcceptStat.SUCCESS
            ? r.body.readUint() === 1
            : undefined,
      });
    }
    return out;
  };
  return { service, server, registerAll };
}

const REFUSED = {
  kind: "rejected",
  stat: RejectStat.AUTH_ERROR,
  authStat: AuthStat.AUTH_TOOWEAK,
  value: undefined,
};
const accepted = (value: boolean) => ({
  kind: "accepted",
  stat: AcceptStat.SUCCESS,
  authStat: 0,
  value,
});

describe("rpcbind SET/UNSET policy", () => {
  test("from other hosts: every version's SET and UNSET refused with AUTH_TOOWEAK, table untouched", async () => {
    const b = await binder();
    for (const address of [
      "192.0.2.7",
      "10.0.0.1",
      "2001:db8::1",
      "::ffff:203.0.113.5",
      "0.0.0.0",
    ]) {
      assert.deepEqual(await b.registerAll(address), Array(5).fill(REFUSED), address);
      assert.equal(b.service.registry.all().length, 0);
    }
    await b.server.close(0);
  });

  test("from loopback (v4, v6, IPv4-mapped): accepted", async () => {
    const b = await binder();
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
      assert.deepEqual(
        await b.registerAll(address),
        [accepted(true), accepted(true), accepted(true), accepted(true), accepted(true)],
        address,
      );
      assert.equal(b.service.registry.all().length, 0, "each round unsets what it set");
    }
    await b.server.close(0);
  });

  test("setAllowedFrom widens the rule to named networks; allowRemoteSet to every host", async () => {
    const b = await binder({ setAllowedFrom: ["loopback", "10.0.0.0/8"] });
    assert.deepEqual((await b.registerAll("10.3.4.5"))[0], accepted(true));
    assert.deepEqual((await b.registerAll("192.0.2.7"))[0], REFUSED);
    assert.deepEqual((await b.registerAll("127.0.0.1"))[0], accepted(true));
    await b.server.close(0);
    const open = await binder({ allowRemoteSet: true });
    assert.deepEqual((await open.registerAll("198.51.100.1"))[0], accepted(true));
    await open.server.close(0);
  });

  test("lookups from other hosts still work (only registrations are restricted)", async () => {
    const b = await binder();
    b.service.registry.set({
      program: PROG,
      version: 1,
      netid: "udp",
      uaddr: "0.0.0.0.3.231",
      owner: "x",
    });
    const [reply] = await (await spoofableServer(new ProgramTable())).ask(
      new Uint8Array(0),
      from("192.0.2.1"),
    );
    assert.equal(reply, undefined);
    const t = new ProgramTable();
    t.register(PmapProgV2, b.service.v2);
    const s = await spoofableServer(t);
    const [r] = await s.ask(
      callBytes({
        xid: 9,
        program: 100000,
        version: 2,
        procedure: 3,
        args: (w) => xdr_mapping.encode(w, { prog: PROG, vers: 1, prot: IPPROTO_UDP, port: 0 }),
      }),
      from("192.0.2.1"),
    );
    assert.equal(parseReply(r!).body.readUint(), 999);
    await s.server.close(0);
    await b.server.close(0);
  });

  test("a real lupine rpcbind on loopback: a Lupine client registers and unregisters over UDP and TCP", async () => {
    const d = await startRpcbind({ hosts: ["127.0.0.1"], port: 0, wallClockSeconds: () => 0 });
    try {
      for (const [i, proto] of (["udp", "tcp"] as const).entries()) {
        const address = d.addresses[i]!;
        const rpcb = new RpcbindClient(oncTransport(proto, address.port));
        assert.equal(
          await rpcb.set({ program: PROG, version: 1, protocol: "udp", port: 999 }),
          true,
        );
        assert.ok((await rpcb.dump()).some((m) => m.program === PROG));
        assert.equal(await rpcb.unset(PROG, 1), true);
        await rpcb.close();
      }
    } finally {
      await d.close();
    }
  });

  test("lupine rpcbind --allow-set-from refuses a malformed network before listening", () => {
    const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
    const r = spawnSync(
      process.execPath,
      [cli, "rpcbind", "--port", "0", "--allow-set-from", "10.0.0.0/40"],
      {
        encoding: "utf8",
        timeout: 20_000,
      },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /bad network '10\.0\.0\.0\/40'/);
  });
});
