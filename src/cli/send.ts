/**
 * `lupine send FILE lupine://HOST:PORT/NAME`: uploads FILE to a `lupine serve-files` server.
 * Exit code 0 only when the server has read the file back from its disk and found the SHA-256
 * this side read from FILE; an interrupted transfer resumes when the command is run again.
 */
import { parseFileTarget, sendFile } from "../files/index.js";
import { type FileCommandArgs, openFileClient, parseFileArgs } from "./file-client.js";
import { failureLine, verifiedLines } from "./file-report.js";

export const summary = "send a file to lupine serve-files, verified end to end";

const usage = `usage: lupine send FILE lupine://HOST:PORT/NAME [--force] [--no-progress]

  FILE            the local file
  NAME            its name in the served folder (default: FILE's name); percent-encode ? # %
  --force, -f     replace an existing file of that name
  --no-progress   no progress display (stderr: a bar on a terminal, plain lines otherwise)
  --window N      chunks in flight; --chunk-bytes N  preferred chunk size (a power of two)

Exit: 0 verified (the server read it back from disk: same SHA-256), 1 failed, 2 bad usage.
Run the same command again to resume an interrupted transfer.`;

export async function main(argv: string[]): Promise<number> {
  let args: FileCommandArgs;
  let target: ReturnType<typeof parseFileTarget>;
  try {
    args = parseFileArgs(argv);
    if (args.help) {
      console.log(usage);
      return 0;
    }
    if (args.positional.length !== 2) throw new TypeError("FILE and a target are needed");
    target = parseFileTarget(args.positional[1]!);
  } catch (e) {
    console.error(`lupine send: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  const file = args.positional[0]!;
  const { transport, progress, options } = await openFileClient(target, args);
  try {
    console.log(`sending ${file} to ${args.positional[1]}`);
    const r = await sendFile(file, args.positional[1]!, options);
    progress.finish();
    for (const l of verifiedLines(r, { receiver: "the server", source: file })) console.log(l);
    return 0;
  } catch (e) {
    progress.finish();
    console.error(failureLine("lupine send", e));
    return 1;
  } finally {
    await transport.close();
  }
}
