/**
 * `lupine serve-files --dir DIR --port N [--host ADDR]`: serves a folder over Lupine's reliable
 * transport for `lupine send` and `lupine fetch` (docs/file-transfer.md). Names cannot leave DIR;
 * uploads are verified by reading them back from disk before they are renamed into place.
 * Prints one line per transfer; stops on SIGINT or SIGTERM (partial uploads stay for resume).
 */
import { parseArgs } from "node:util";
import { isFileTransferError } from "../files/errors.js";
import { serveFiles } from "../files/index.js";
import { isLoopback, LOOPBACK_DATAGRAM_BYTES } from "../files/names.js";

export const summary = "serve a folder for lupine send / lupine fetch (checked file transfer)";

const usage = `usage: lupine serve-files --dir DIR --port N [--host ADDR]

  --dir DIR     the folder to serve; names cannot leave it (.., absolute paths, symbolic links)
  --port N      UDP port (0: pick a free one and print it)
  --host ADDR   address to bind (default 127.0.0.1; 0.0.0.0 or :: for every interface)

Prints "serving DIR on lupine://HOST:PORT", then one line per transfer. Stop with Ctrl-C.`;

export async function main(argv: string[]): Promise<number> {
  let values: { dir?: string; port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        dir: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    console.error(`lupine serve-files: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    console.log(usage);
    return 0;
  }
  const port = Number(values.port);
  if (values.dir === undefined || !Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(usage);
    return 2;
  }
  let served: Awaited<ReturnType<typeof serveFiles>>;
  try {
    served = await serveFiles({
      dir: values.dir,
      port,
      host: values.host ?? "127.0.0.1",
      log: (line) => console.log(line),
      // Bound to loopback, every client is on this machine: loopback-sized datagrams.
      ...(isLoopback(values.host ?? "127.0.0.1")
        ? { lupine: { maxDatagramBytes: LOOPBACK_DATAGRAM_BYTES } }
        : {}),
    });
  } catch (e) {
    const text = isFileTransferError(e) || e instanceof Error ? e.message : String(e);
    console.error(`lupine serve-files: ${text}`);
    return 1;
  }
  console.log(`serving ${served.root} on ${served.url}`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await served.close();
  console.log("stopped");
  return 0;
}
