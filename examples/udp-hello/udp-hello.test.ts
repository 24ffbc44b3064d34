/**
 * Runs the udp-hello example as the README shows it: the server and the client as separate
 * processes on loopback, the server on an ephemeral port, and checks what both print.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { openUdp } from "lupine/udp";

const SERVER = fileURLToPath(new URL("./server.js", import.meta.url));
const CLIENT = fileURLToPath(new URL("./client.js", import.meta.url));

const servers: ChildProcess[] = [];
after(() => {
  for (const s of servers) if (s.exitCode === null) s.kill("SIGKILL");
});

interface Server {
  readonly process: ChildProcess;
  readonly port: number;
  /** Everything the server printed so far. */
  output(): string;
}

/** Starts the server and resolves once it prints the address it is listening on. */
async function startServer(host: string): Promise<Server> {
  const child = spawn(process.execPath, [SERVER, "--host", host, "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  servers.push(child);
  let out = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
  });
  const deadline = performance.now() + 10_000;
  for (;;) {
    const m = /server: listening on (\S+):(\d+)\n/.exec(out);
    if (m !== null) return { process: child, port: Number(m[2]), output: () => out };
    if (child.exitCode !== null || performance.now() > deadline) {
      assert.fail(`server did not start (exit ${child.exitCode}): ${out}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

function runClient(...args: string[]) {
  const r = spawnSync(process.execPath, [CLIENT, ...args], { encoding: "utf8", timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function stop(server: Server): Promise<number | null> {
  const exited = once(server.process, "exit");
  server.process.kill("SIGTERM");
  const [code] = (await exited) as [number | null];
  return code;
}

async function canBindIpv6(): Promise<boolean> {
  try {
    (await openUdp({ host: "::1" })).close();
    return true;
  } catch {
    return false;
  }
}

describe("examples/udp-hello", () => {
  test("the client sends hello world, the server answers goodbye world", async () => {
    const server = await startServer("127.0.0.1");
    const r = runClient("--host", "127.0.0.1", "--port", String(server.port));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      `client: sent 'hello world' to 127.0.0.1:${server.port}\n` +
        `client: reply from 127.0.0.1:${server.port}: goodbye world\n`,
    );
    // The server serves any number of clients until it is stopped.
    assert.equal(
      runClient("--host", "localhost", "--port", String(server.port), "--message", "again").code,
      0,
    );
    assert.equal(await stop(server), 0);
    const lines = server.output().trimEnd().split("\n");
    assert.equal(lines.length, 4, server.output());
    assert.match(lines[1]!, /^server: got 'hello world' from 127\.0\.0\.1:\d+$/);
    assert.match(lines[2]!, /^server: got 'again' from 127\.0\.0\.1:\d+$/);
    assert.equal(lines[3], "server: closed");
  });

  test("over IPv6 loopback, where available", async (t) => {
    if (!(await canBindIpv6())) {
      t.skip("::1 cannot be bound on this machine");
      return;
    }
    const server = await startServer("::1");
    const r = runClient("--host", "::1", "--port", String(server.port));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`reply from ::1:${server.port}: goodbye world`));
    assert.equal(await stop(server), 0);
  });

  test("with no server, the client gives up after its timeout and exits 1", async () => {
    const probe = await openUdp({ host: "127.0.0.1" }); // a port nobody answers on
    try {
      const started = performance.now();
      const r = runClient(
        "--host",
        "127.0.0.1",
        "--port",
        String(probe.local.port),
        "--timeout-ms",
        "300",
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /client: no reply within 300 ms/);
      assert.ok(performance.now() - started < 10_000);
    } finally {
      probe.close();
    }
  });
});
