/**
 * `lupine fetch lupine://HOST:PORT/NAME [FILE]`: downloads NAME from a `lupine serve-files`
 * server into FILE (default: NAME's last component here). Exit code 0 only when the file was read
 * back from this disk, found equal to the server's SHA-256 and renamed into place; an interrupted
 * transfer resumes when the command is run again.
 */
import { fetchFile, parseFileTarget } from "../files/index.js";
import { type FileCommandArgs, openFileClient, parseFileArgs } from "./file-client.js";
import { failureLine, verifiedLines } from "./file-report.js";

export const summary = "fetch a file from lupine serve-files, verified end to end";

const usage = `usage: lupine fetch lupine://HOST:PORT/NAME [FILE] [--force] [--no-progress]

  NAME            the file's name in the served folder; percent-encode ? # %
  FILE            where to put it (default: NAME's last component here; a folder: in it)
  --force, -f     replace an existing FILE
  --no-progress   no progress display (stderr: a bar on a terminal, plain lines otherwise)
  --window N      chunks in flight

Exit: 0 verified (read back from this disk: the server's SHA-256), 1 failed, 2 bad usage.
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
    if (args.positional.length < 1 || args.positional.length > 2) {
      throw new TypeError("a target and at most one FILE are needed");
    }
    target = parseFileTarget(args.positional[0]!);
  } catch (e) {
    console.error(`lupine fetch: ${(e as Error).message}\n${usage}`);
    return 2;
  }
  const { transport, progress, options } = await openFileClient(target, args);
  try {
    console.log(`fetching ${args.positional[0]}`);
    const r = await fetchFile(args.positional[0]!, args.positional[1], options);
    progress.finish();
    for (const l of verifiedLines(r, { receiver: "this machine", source: target.name })) {
      console.log(l);
    }
    return 0;
  } catch (e) {
    progress.finish();
    console.error(failureLine("lupine fetch", e));
    return 1;
  } finally {
    await transport.close();
  }
}
