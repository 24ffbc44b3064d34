/**
 * The programmatic API behind `lupine send` / `lupine fetch` / `lupine serve-files`
 * (`lupine/files`): serve a folder, send a file into it, fetch it back, and print what was
 * verified — each step resolves only once the receiver has read the file back from its disk and
 * found the sender's SHA-256.
 *
 *   node dist/examples/file-transfer/round-trip.js FILE SERVED-FOLDER
 *
 * FILE goes to SERVED-FOLDER/<its name> and comes back as FILE.copy.
 */
import { basename } from "node:path";
import {
  fetchFile,
  isFileTransferError,
  sendFile,
  serveFiles,
  type TransferProgress,
} from "lupine/files";

const [file, folder] = process.argv.slice(2);
if (file === undefined || folder === undefined) {
  console.error("usage: round-trip.js FILE SERVED-FOLDER");
  process.exit(2);
}

// 1. A file server on an ephemeral port (`lupine serve-files --dir FOLDER --port 0`).
const served = await serveFiles({ dir: folder, log: (line) => console.log(`server: ${line}`) });
console.log(`serving ${served.root} on ${served.url}`);

let lastPhase = "";
const onProgress = (p: TransferProgress) => {
  if (p.phase === lastPhase) return;
  lastPhase = p.phase;
  console.log(`  ${p.phase} (${p.bytesDone}/${p.bytesTotal} bytes)`);
};

try {
  // 2. Up (`lupine send FILE lupine://HOST:PORT/NAME`): force replaces an earlier copy.
  const up = await sendFile(file, `${served.url}/${encodeURIComponent(basename(file))}`, {
    force: true,
    onProgress,
  });
  console.log(
    `sent: ${up.size} bytes in ${up.chunks} chunks, SHA-256 ${up.sha256}, read back from the server's disk`,
  );

  // 3. Down (`lupine fetch lupine://HOST:PORT/NAME FILE`).
  lastPhase = "";
  const down = await fetchFile(
    `${served.url}/${encodeURIComponent(basename(file))}`,
    `${file}.copy`,
    {
      force: true,
      onProgress,
    },
  );
  console.log(`fetched: ${down.name}, SHA-256 ${down.sha256}, read back from this disk`);
  console.log(up.sha256 === down.sha256 ? "round trip verified" : "DIGESTS DIFFER");
} catch (e) {
  // A FileTransferError has a `status` (exists, bad_name, no_space, access, changed, ...).
  console.error(isFileTransferError(e) || e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
} finally {
  await served.close();
}
