/**
 * `lupine info HOST [--port N] [--tcp]`: lists a host's registrations as `rpcinfo -p` does
 * (port mapper version 2 DUMP), with service names from /etc/rpc when present.
 */
import { readFileSync } from "node:fs";
import { openTcpClient, openUdpClient, resolveHost } from "../connect/schemes.js";
import { nodeClock } from "../io/node/clock.js";
import { nodeRandom } from "../io/node/random.js";
import { RpcbindClient } from "../rpcbind/client.js";
import { isRpcError } from "../runtime/errors.js";

export const summary = "list a host's RPC registrations (like rpcinfo -p)";

const usage = `usage: lupine info HOST [--port N] [--tcp]

Asks the port mapper on HOST (port 111 unless --port) for every registration and prints
program, version, protocol, port and service name, as rpcinfo -p does. UDP unless --tcp.`;

function serviceNames(): Map<number, string> {
  const names = new Map<number, string>();
  try {
    for (const line of readFileSync("/etc/rpc", "utf8").split("\n")) {
      const m = /^([A-Za-z0-9_.-]+)\s+(\d+)/.exec(line);
      if (m !== null) names.set(Number(m[2]), m[1]!);
    }
  } catch {
    // No /etc/rpc: numbers only.
  }
  return names;
}

export async function main(argv: string[]): Promise<number> {
  let host: string | undefined;
  let port = 111;
  let tcp = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--help" || a === "-h") {
      console.log(usage);
      return 0;
    }
    if (a === "--port" && argv[i + 1] !== undefined) port = Number(argv[++i]);
    else if (a === "--tcp") tcp = true;
    else if (!a.startsWith("-") && host === undefined) host = a;
    else {
      console.error(`lupine info: unknown argument ${a}\n${usage}`);
      return 2;
    }
  }
  if (host === undefined) {
    console.error(usage);
    return 2;
  }
  const context = { options: {}, clock: nodeClock, random: nodeRandom };
  let rpcb: RpcbindClient | undefined;
  try {
    const [binder] = await resolveHost(host, port);
    rpcb = new RpcbindClient(
      tcp ? openTcpClient(binder!, context) : await openUdpClient(binder!, context),
    );
    const list = await rpcb.dump();
    const names = serviceNames();
    console.log("   program vers proto   port  service");
    for (const m of list) {
      const proto = typeof m.protocol === "number" ? String(m.protocol) : m.protocol;
      console.log(
        `${String(m.program).padStart(10)} ${String(m.version).padStart(4)} ${proto.padStart(5)} ${String(m.port).padStart(6)}  ${names.get(m.program) ?? ""}`.trimEnd(),
      );
    }
    return 0;
  } catch (e) {
    const what = isRpcError(e) ? e.message : String(e);
    console.error(`lupine info: cannot ask the port mapper on ${host}:${port}: ${what}`);
    return 1;
  } finally {
    await rpcb?.close();
  }
}
