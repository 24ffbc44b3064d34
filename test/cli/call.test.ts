/** `lupine call` against a Lupine server: JSON in, JSON out, exit codes. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createServer, silentLogger } from "../../src/index.js";
import { ConformanceProgV1, ConformanceProgV2 } from "../conformance/conformance-program.js";
import { conformanceHandlers } from "../conformance/conformance-server.js";
import { peerDir, repoRoot, run } from "../helpers/peer.js";

const cli = join(repoRoot, "dist", "src", "cli", "main.js");
const x = join(peerDir, "conformance.x");

const missing = (() => {
  try {
    readFileSync(x);
    return undefined;
  } catch {
    return `${x} is absent`;
  }
})();

describe("lupine call", { skip: missing }, () => {
  const server = createServer({ logger: silentLogger, closeGraceMs: 50 });
  let udp = "";
  let tcp = "";
  before(async () => {
    const h = conformanceHandlers();
    server.register(ConformanceProgV1, h.v1).register(ConformanceProgV2, h.v2);
    const [u, t] = await server.listen("udp://127.0.0.1:0", "tcp://127.0.0.1:0");
    udp = `udp://127.0.0.1:${u!.port}`;
    tcp = `tcp://127.0.0.1:${t!.port}`;
  });
  after(() => server.close());
  const call = (...args: string[]) => run(process.execPath, [cli, "call", ...args, "--x", x]);

  test("names or numbers, several arguments as an array, hyper and opaque in JSON", async () => {
    assert.deepEqual(await call(udp, "CONFORMANCE_PROG", "2", "ADD", "[2147483647, 1]"), {
      code: 0,
      out: "-2147483648\n",
    });
    assert.equal(
      (await call(tcp, "0x20000099", "CONF_V2", "4", '"-9223372036854775808"')).out,
      '"-9223372036854775808"\n',
    );
    const blob = JSON.parse((await call(tcp, "536871065", "2", "ECHO_VAR_OPAQUE", '"00ff10"')).out);
    assert.equal(blob, "00ff10");
    const r = JSON.parse(
      (await call(udp, "CONFORMANCE_PROG", "2", "ECHO_RESULT", '{"status":7,"other":"42"}')).out,
    );
    assert.deepEqual(r, { status: 7, other: "42" });
    const cc = JSON.parse(
      (
        await call(
          udp,
          "CONFORMANCE_PROG",
          "2",
          "ECHO_COLOR_CHOICE",
          '{"c":"BLUE","blue_point":{"x":1,"y":2}}',
        )
      ).out,
    );
    assert.deepEqual(cc, { c: "BLUE", blue_point: { x: 1, y: 2 } });
    assert.equal((await call(udp, "CONFORMANCE_PROG", "1", "V1_NULL")).out, "null\n");
  });

  test("exit codes and messages say what failed", async () => {
    const sys = await call(udp, "CONFORMANCE_PROG", "2", "SYSTEM_ERR");
    assert.equal(sys.code, 1);
    assert.match(sys.out, /\[system_err\]/);
    const t = await run(process.execPath, [
      cli,
      "call",
      udp,
      "CONFORMANCE_PROG",
      "2",
      "NO_REPLY",
      "--x",
      x,
      "--timeout",
      "200",
    ]);
    assert.equal(t.code, 1);
    assert.match(t.out, /^lupine call: \[timeout\] NO_REPLY: no reply .* after \d+ ms/m);
    const bad = await call(udp, "CONFORMANCE_PROG", "2", "ADD", "[1]");
    assert.equal(bad.code, 2);
    assert.match(bad.out, /takes 2 arguments/);
    const noVers = await call(udp, "CONFORMANCE_PROG", "9", "ADD", "[1, 2]");
    assert.equal(noVers.code, 2);
    assert.match(noVers.out, /has no version 9/);
    const garbage = await call(
      udp,
      "CONFORMANCE_PROG",
      "2",
      "ECHO_STRING",
      JSON.stringify("x".repeat(65)),
    );
    assert.equal(garbage.code, 1, "the string is longer than string<64>: refused before sending");
    assert.match(garbage.out, /invalid_argument/);
  });
});
