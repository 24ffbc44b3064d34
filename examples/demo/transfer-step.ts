/**
 * Step 3 of the demo: a checked file transfer over the same bad link, with two faults injected
 * where no network checksum can see them — a chunk damaged in the sender's memory after it was
 * read from disk (the transport then checksums the damaged bytes faithfully), and a chunk damaged
 * on the server's disk after it was written — and what the end-to-end checks do about them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { formatBytes } from "../../src/cli/progress.js";
import { isFileTransferError } from "../../src/files/errors.js";
import { FilesProgV1 } from "../../src/files/gen/files.js";
import { hex } from "../../src/files/manifest.js";
import { sendWith } from "../../src/files/send.js";
import type { SinkFaults } from "../../src/files/sink.js";
import type { TransferResult } from "../../src/files/transfer.js";
import { nodeSha256 } from "../../src/io/node/file-system.js";
import { createRpcClient } from "../../src/runtime/client.js";
import type { World } from "./world.js";

/** What the step found. */
export interface TransferStep {
  readonly lines: string[];
  /** The transfer ended verified. */
  readonly verified: boolean;
  /** Both injected faults were detected (and, the transfer being verified, repaired). */
  readonly faultsDetected: boolean;
  /** The server's copy equals the original, byte for byte. */
  readonly identical: boolean;
}

/**
 * Sends `local/demo.bin` to the server's `served/demo.bin`. `serverFaults` is the service's
 * sink fault hook (installed when the service was made); `serverLog` collects its log lines.
 */
export async function transferStep(
  world: World,
  o: {
    readonly local: string;
    readonly served: string;
    readonly serverFaults: { hook: SinkFaults["afterWrite"] | undefined };
    readonly serverLog: string[];
    readonly memoryChunk: number;
    readonly diskChunk: number;
  },
): Promise<TransferStep> {
  const lines: string[] = [];
  const net = world.pair.net;
  const client = createRpcClient(FilesProgV1, world.pair.client, { ownsTransport: false });
  const src = join(o.local, "demo.bin");
  const before = { ...net.counters };
  const c0 = world.pair.client.stats();
  const startMs = net.clock.now();
  let diskDamaged = false;
  o.serverFaults.hook = async ({ part, index, offset }) => {
    if (index !== o.diskChunk || diskDamaged) return;
    diskDamaged = true;
    const f = await world.io.fs.open(part, "update");
    try {
      const b = new Uint8Array(1);
      await f.read(b, offset + 100);
      b[0]! ^= 0x10;
      await f.write(b, offset + 100);
    } finally {
      await f.close();
    }
    lines.push(
      `  [fault] chunk ${index} damaged on the server's disk after it was written (one bit flipped in the file)`,
    );
  };
  let verifying = 0;
  let result: TransferResult | undefined;
  let failure: unknown;
  sendWith({
    client,
    fs: world.io.fs,
    hash: nodeSha256,
    path: src,
    name: "demo.bin",
    window: 4,
    onProgress: (p) => {
      if (p.phase === "verifying") verifying++;
    },
    faults: {
      corruptChunk(index, data, attempt) {
        if (index !== o.memoryChunk || attempt !== 1) return;
        data[17]! ^= 0x01;
        lines.push(
          `  [fault] chunk ${index} damaged in the sender's memory after it was read from disk: the transport checksums the damaged bytes, so the link's CRC-32 cannot see it`,
        );
      },
    },
  }).then(
    (r) => {
      result = r;
    },
    (e: unknown) => {
      failure = e;
    },
  );
  await world.run(() => result !== undefined || failure !== undefined);
  o.serverFaults.hook = undefined;
  if (result === undefined) {
    lines.push(
      `  FAILED: ${isFileTransferError(failure) || failure instanceof Error ? failure.message : String(failure)}`,
    );
    return { lines, verified: false, faultsDetected: false, identical: false };
  }
  const r = result;
  lines.unshift(
    `sending demo.bin: ${formatBytes(r.size)} in ${r.chunks} chunks of ${formatBytes(r.chunkBytes)}, 4 chunks in flight`,
    `  SHA-256 of the file as read from the sender's disk: ${r.sha256}`,
  );
  lines.push(
    `  on receipt the server checked each chunk's SHA-256: ${r.badOnReceipt} chunk(s) did not match and were sent again`,
    `  after the last chunk the server flushed the file (fsync) and read it back from its disk: ${r.badOnDisk} chunk(s) bad on disk, sent again`,
    `  read-back verifications: ${verifying} — the last one found all ${r.chunks} chunks and the whole file equal to the sender's digests`,
  );
  for (const l of o.serverLog.splice(0)) lines.push(`  server: ${l}`);
  const identical = readFileSync(src).equals(readFileSync(join(o.served, "demo.bin")));
  const n = net.counters;
  const c = world.pair.client.stats();
  lines.push(
    `  verified: SHA-256 ${hex(r.digest)} on both disks; renamed into place (atomic rename, folder fsynced)`,
    identical
      ? "  and indeed the server's copy is byte-for-byte the original"
      : "  YET THE COPY DIFFERS FROM THE ORIGINAL",
    `  the link meanwhile: ${n.sent - before.sent} datagrams, ${n.lost - before.lost} lost, ${n.duplicated - before.duplicated} duplicated, ${n.reordered - before.reordered} reordered, ${n.corrupted - before.corrupted} bit-flipped; ` +
      `${c.retransmissions - c0.retransmissions} retransmissions by the client; ${(net.clock.now() - startMs).toFixed(0)} ms of virtual time`,
  );
  const faultsDetected = r.badOnReceipt === 1 && r.badOnDisk === 1 && verifying === 2;
  return { lines, verified: true, faultsDetected, identical };
}
