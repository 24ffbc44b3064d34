/**
 * What `lupine send` and `lupine fetch` share: their options, the transport they open (kept, so
 * the progress line can show its retransmissions), and the progress display.
 */
import { parseArgs } from "node:util";
import type { FileClientOptions } from "../files/index.js";
import type { LupineClientTransport } from "../transport/lupine-client.js";
import { connectLupine } from "../transport/lupine-node.js";
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

/** Opens the transport and the progress display; `options` for sendFile/fetchFile. */
export async function openFileClient(
  target: { host: string; port: number },
  args: FileCommandArgs,
): Promise<{ transport: LupineClientTransport; progress: Progress; options: FileClientOptions }> {
  const transport = await connectLupine(target);
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
