/**
 * What `lupine send` and `lupine fetch` share: their options, the transport they open (kept, so
 * the progress line can show its retransmissions), and the progress display.
 */
import { parseArgs } from "node:util";
import type { FileClientOptions } from "../files/index.js";
import { isLoopback, LOOPBACK_DATAGRAM_BYTES } from "../files/names.js";
import { nodeClock } from "../io/node/clock.js";
import { nodeCrc32 } from "../io/node/crc32.js";
import { nodeDefer } from "../io/node/defer.js";
import { nodeRandom } from "../io/node/random.js";
import { openUdp, resolve } from "../io/node/udp.js";
import { createLupineClient, type LupineClientTransport } from "../transport/lupine-client.js";
import { createProgress, type Progress } from "./progress.js";

/** Parsed options common to both commands. */
export interface FileCommandArgs {
  readonly positional: string[];
  readonly force: boolean;
  readonly progress: boolean;
  readonly window: number | undefined;
  readonly chunkBytes: number | undefined;
  readonly help: boolean;
}

/** Parses argv; throws `TypeError` with the reason on bad usage. */
export function parseFileArgs(argv: string[]): FileCommandArgs {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      force: { type: "boolean", short: "f" },
      "no-progress": { type: "boolean" },
      window: { type: "string" },
      "chunk-bytes": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const num = (s: string | undefined, what: string): number | undefined => {
    if (s === undefined) return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new TypeError(`${what} must be a positive integer`);
    return n;
  };
  return {
    positional: positionals,
    force: values.force === true,
    progress: values["no-progress"] !== true,
    window: num(values.window, "--window"),
    chunkBytes: num(values["chunk-bytes"], "--chunk-bytes"),
    help: values.help === true,
  };
}

/**
 * Opens a `lupine://` client transport on a connected UDP socket: a server that is not running
 * then shows at once (ICMP port unreachable: `unreachable`) instead of after every retransmission.
 */
async function connect(target: { host: string; port: number }): Promise<LupineClientTransport> {
  const [server] = await resolve(target.host, target.port);
  if (server === undefined) throw new TypeError(`no address for ${target.host}`);
  const port = await openUdp({
    family: server.family === "IPv6" ? 6 : 4,
    recvBufferSize: 4 << 20,
    sendBufferSize: 4 << 20,
  });
  await port.connect(server);
  return createLupineClient({
    ...(isLoopback(server.address) ? { maxDatagramBytes: LOOPBACK_DATAGRAM_BYTES } : {}),
    port,
    server,
    clock: nodeClock,
    random: nodeRandom,
    crc: nodeCrc32,
    defer: nodeDefer,
  });
}

/** Opens the transport and the progress display; `options` for sendFile/fetchFile. */
export async function openFileClient(
  target: { host: string; port: number },
  args: FileCommandArgs,
): Promise<{ transport: LupineClientTransport; progress: Progress; options: FileClientOptions }> {
  const transport = await connect(target);
  const progress = createProgress({
    out: process.stderr,
    counters: () => transport.stats(),
  });
  const options: FileClientOptions = {
    transport,
    force: args.force,
    ...(args.window === undefined ? {} : { window: args.window }),
    ...(args.chunkBytes === undefined ? {} : { chunkBytes: args.chunkBytes }),
    ...(args.progress ? { onProgress: (p) => progress.update(p) } : {}),
  };
  return { transport, progress, options };
}
