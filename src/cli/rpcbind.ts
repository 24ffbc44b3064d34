/**
 * `lupine rpcbind [--port N] [--host ADDR]... [--allow-set-from NET]... [--allow-remote-set]`:
 * runs Lupine's own port
 * mapper / rpcbind (RFC 1833 versions 2–4) until SIGINT or SIGTERM.
 */
import { startRpcbind } from "../rpcbind/daemon.js";
import { NetworkSet } from "../runtime/networks.js";

export const summary = "run a port mapper / rpcbind (versions 2-4) on port 111";

const usage = `usage: lupine rpcbind [--port N] [--host ADDR]... [--allow-set-from NET]... [--allow-remote-set]

Serves the port mapper (version 2) and RPCBIND (versions 3 and 4) of RFC 1833 over UDP and TCP,
so that rpcinfo, NFS clients and Lupine servers registering with rpcbind work on a machine
without the system rpcbind. SET and UNSET are accepted only from loopback (others get
AUTH_ERROR / AUTH_TOOWEAK, as from the system rpcbind) unless --allow-set-from or
--allow-remote-set; CALLIT/BCAST/INDIRECT are refused (PROC_UNAVAIL).

  --port N              port (default 111)
  --host ADDR           address to listen on, repeatable (default 0.0.0.0 and ::)
  --allow-set-from NET  also accept SET/UNSET from this network (10.0.0.0/8, fd00::/8, an
                        address), repeatable; loopback stays allowed
  --allow-remote-set    accept SET/UNSET from any host`;

export async function main(argv: string[]): Promise<number> {
  let port = 111;
  const hosts: string[] = [];
  let allowRemoteSet = false;
  const setFrom: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") {
      console.log(usage);
      return 0;
    }
    if (a === "--port" && argv[i + 1] !== undefined) port = Number(argv[++i]);
    else if (a === "--host" && argv[i + 1] !== undefined) hosts.push(argv[++i]!);
    else if (a === "--allow-set-from" && argv[i + 1] !== undefined) setFrom.push(argv[++i]!);
    else if (a === "--allow-remote-set") allowRemoteSet = true;
    else {
      console.error(`lupine rpcbind: unknown argument ${a}\n${usage}`);
      return 2;
    }
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`lupine rpcbind: bad port ${port}`);
    return 2;
  }
  try {
    new NetworkSet(setFrom);
  } catch (e) {
    console.error(`lupine rpcbind: ${(e as Error).message}`);
    return 2;
  }
  let daemon: Awaited<ReturnType<typeof startRpcbind>>;
  try {
    daemon = await startRpcbind({
      port,
      ...(hosts.length === 0 ? {} : { hosts }),
      allowRemoteSet,
      ...(setFrom.length === 0 ? {} : { setAllowedFrom: ["loopback", ...setFrom] }),
      wallClockSeconds: () => Math.floor(Date.now() / 1000),
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const hint =
      code === "EADDRINUSE"
        ? " (is another rpcbind running?)"
        : code === "EACCES"
          ? " (port 111 needs root)"
          : "";
    console.error(`lupine rpcbind: cannot listen: ${(e as Error).message}${hint}`);
    return 1;
  }
  const bound = daemon.addresses
    .map((a, i) => `${i % 2 === 0 ? "udp" : "tcp"} ${a.address}:${a.port}`)
    .join(", ");
  console.log(`lupine rpcbind: ready ${bound}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await daemon.close();
  return 0;
}
