/**
 * Runs the calc example as its README shows: the server as its own process, the client calling
 * func1 and func2 through the same generated stub over udp://, tcp:// and lupine://.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { once } from "node:events";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { startAndWait } from "../../test/helpers/peer.js";

const SERVER = fileURLToPath(new URL("./server.js", import.meta.url));
const CLIENT = fileURLToPath(new URL("./client.js", import.meta.url));

describe("examples/calc", () => {
  let server: Awaited<ReturnType<typeof startAndWait>> | undefined;
  after(() => {
    if (server?.child.exitCode === null) server.child.kill("SIGKILL");
  });

  test("one generated stub, three transports, the same answers", async () => {
    server = await startAndWait(process.execPath, [SERVER], "calc server:");
    const targets = server.line.replace("calc server: ", "").trim().split(" ");
    assert.deepEqual(
      targets.map((t) => t.split(":")[0]),
      ["udp", "tcp", "lupine"],
    );
    const r = spawnSync(process.execPath, [CLIENT, ...targets], {
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      targets
        .map((t) => `${t}: func1(21) = 42, func2(2, 3) = 5, func2(2147483647, 1) = -2147483648\n`)
        .join(""),
    );
    const exited = once(server.child, "exit");
    server.child.kill("SIGTERM");
    assert.deepEqual((await exited)[0], 0);
  });

  test("a client without a server: a clear error and exit 1", () => {
    const r = spawnSync(process.execPath, [CLIENT, "tcp://127.0.0.1:1"], { encoding: "utf8" });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /tcp:\/\/127\.0\.0\.1:1: \[unreachable\]/);
  });
});
