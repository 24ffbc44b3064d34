/**
 * The file transfer end to end on loopback, in one process: files of awkward sizes both ways;
 * corruption injected where the network checksums cannot see it — in the sender's memory after
 * the chunk was read (the transport then checksums the damaged bytes faithfully) and on the
 * receiver's disk after the write — detected every time and repaired; no overwriting without
 * `force`; a source that vanishes mid-transfer.
 */
import assert from "node:assert/strict";
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  fetchFile,
  type ServedFiles,
  type SinkFaults,
  sendFile,
  serveFiles,
} from "../../src/files/index.js";
import { assertSameFile, outcome, randomFile, workspace } from "./helpers.js";

const CHUNK = 4096;

/** Damage on a receiver's disk: one byte of each chunk `pick` selects is flipped, once. */
interface DiskDamage {
  readonly faults: SinkFaults;
  readonly damaged: Set<number>;
  pick: (index: number) => boolean;
}

function diskDamage(pick: (index: number) => boolean): DiskDamage {
  const damage: DiskDamage = {
    damaged: new Set<number>(),
    pick,
    faults: {
      async afterWrite({ part, index, offset, length }) {
        if (damage.damaged.has(index) || !damage.pick(index)) return;
        damage.damaged.add(index);
        const fd = openSync(part, "r+");
        try {
          const at = offset + (index % length);
          const b = Buffer.alloc(1);
          readSync(fd, b, 0, 1, at);
          b[0]! ^= 0x40;
          writeSync(fd, b, 0, 1, at);
        } finally {
          closeSync(fd);
        }
      },
    },
  };
  return damage;
}

describe("file transfer on loopback", () => {
  const ws = workspace("transfer");
  let served: ServedFiles;
  const serverDisk = diskDamage(() => false);
  let serverMemoryPick: (index: number, attempt: number) => boolean = () => false;
  let serverMemoryHits = 0;
  before(async () => {
    served = await serveFiles({
      dir: ws.served,
      sinkFaults: serverDisk.faults,
      sourceFaults: {
        corruptChunk(index, data, attempt) {
          if (!serverMemoryPick(index, attempt)) return;
          data[data.length >> 1]! ^= 0x01;
          serverMemoryHits++;
        },
      },
    });
  });
  after(() => served.close());
  const url = (name: string) => `${served.url}/${encodeURIComponent(name)}`;

  for (const size of [0, 1, CHUNK - 1, CHUNK, 3 * CHUNK, 3 * CHUNK + 1, 200_000]) {
    test(`a ${size}-byte file goes up and comes back verified`, async () => {
      const src = join(ws.local, `f${size}`);
      randomFile(src, size);
      const up = await sendFile(src, url(`f${size}`), { chunkBytes: CHUNK });
      assert.equal(up.size, size);
      assert.equal(up.chunks, Math.ceil(size / CHUNK));
      assert.equal(up.verifications, 1);
      assertSameFile(src, join(ws.served, `f${size}`));
      const back = join(ws.local, `g${size}`);
      const down = await fetchFile(url(`f${size}`), back);
      assert.equal(down.sha256, up.sha256);
      assertSameFile(src, back);
      // Nothing of the transfer is left beside the files.
      assert.deepEqual(
        readdirSync(ws.served).filter((n) => n.includes("lupine")),
        [],
      );
    });
  }

  test("upload: every chunk damaged in the sender's memory is caught on receipt and sent again", async () => {
    const src = join(ws.local, "mem-up");
    randomFile(src, 40 * CHUNK + 123);
    let injected = 0;
    const r = await sendFile(src, url("mem-up"), {
      chunkBytes: CHUNK,
      sendFaults: {
        corruptChunk(index, data, attempt) {
          // Every chunk on its first transmission; chunk 7 on its first three.
          if (attempt === 1 || (index === 7 && attempt <= 3)) {
            data[index % data.length]! ^= 0x80;
            injected++;
          }
        },
      },
    });
    assert.equal(injected, 41 + 2);
    assert.equal(r.badOnReceipt, injected, "each damaged transmission was detected");
    assert.equal(r.chunksSent, 41 + injected);
    assertSameFile(src, join(ws.served, "mem-up"));
  });

  test("upload: chunks damaged on the server's disk after the write are found by the read-back", async () => {
    const src = join(ws.local, "disk-up");
    randomFile(src, 30 * CHUNK);
    serverDisk.damaged.clear();
    serverDisk.pick = (i) => i % 4 === 1;
    try {
      const r = await sendFile(src, url("disk-up"), { chunkBytes: CHUNK });
      assert.deepEqual(
        [...serverDisk.damaged].sort((a, b) => a - b),
        [1, 5, 9, 13, 17, 21, 25, 29],
      );
      assert.equal(r.badOnReceipt, 0, "the bytes were intact when they arrived");
      assert.equal(r.badOnDisk, 8, "every chunk damaged on disk was found");
      assert.equal(r.verifications, 2);
      assertSameFile(src, join(ws.served, "disk-up"));
    } finally {
      serverDisk.pick = () => false;
    }
  });

  test("download: damage in the server's memory and on the client's disk, both repaired", async () => {
    const src = join(ws.served, "both-down");
    randomFile(src, 4 * 65536 - 100);
    serverMemoryHits = 0;
    serverMemoryPick = (i, attempt) => attempt === 1 && i % 2 === 0;
    const disk = diskDamage((i) => i % 5 === 0);
    try {
      const dst = join(ws.local, "both-down");
      const r = await fetchFile(url("both-down"), dst, { sinkFaults: disk.faults });
      assert.equal(r.chunks, 4, "the server digests its files in 64 KiB chunks");
      assert.equal(serverMemoryHits, 2);
      assert.equal(r.badOnReceipt, serverMemoryHits);
      assert.deepEqual([...disk.damaged], [0]);
      assert.equal(r.badOnDisk, 1);
      assertSameFile(src, dst);
    } finally {
      serverMemoryPick = () => false;
    }
  });

  test("an existing file is never replaced without force", async () => {
    const a = join(ws.local, "a");
    const b = join(ws.local, "b");
    randomFile(a, 5000);
    randomFile(b, 5000);
    await sendFile(a, url("keep"));
    assert.equal(await outcome(sendFile(b, url("keep"))), "exists");
    assertSameFile(a, join(ws.served, "keep"));
    // The same content again is recognised as already there (read back from disk).
    const again = await sendFile(a, url("keep"));
    assert.equal(again.alreadyComplete, true);
    await sendFile(b, url("keep"), { force: true });
    assertSameFile(b, join(ws.served, "keep"));
    // Locally too.
    const dst = join(ws.local, "dst");
    randomFile(dst, 10);
    assert.equal(await outcome(fetchFile(url("keep"), dst)), "exists");
    assert.equal(readFileSync(dst).length, 10);
    await fetchFile(url("keep"), dst, { force: true });
    assertSameFile(b, dst);
  });

  test("a source that vanishes mid-transfer is a clear error; the partial file is kept", async () => {
    const src = join(ws.local, "vanishing");
    randomFile(src, 20 * CHUNK);
    const e = sendFile(src, url("vanishing"), {
      chunkBytes: CHUNK,
      window: 1,
      sendFaults: {
        corruptChunk(index) {
          if (index === 3) unlinkSync(src);
        },
      },
    });
    await assert.rejects(e, /\[changed\] .*vanished during the transfer/);
    assert.ok(existsSync(join(ws.served, ".vanishing.lupine-part")), "partial kept for resume");
    assert.ok(!existsSync(join(ws.served, "vanishing")));
    // Download side: the server's file vanishes.
    const big = join(ws.served, "vanishing-down");
    randomFile(big, 400_000);
    serverMemoryPick = (i) => {
      if (i === 2 && existsSync(big)) unlinkSync(big);
      return false;
    };
    try {
      const dst = join(ws.local, "vanishing-down");
      await assert.rejects(
        fetchFile(url("vanishing-down"), dst, { window: 1 }),
        /\[changed\] server: vanishing-down vanished during the transfer/,
      );
      assert.ok(!existsSync(dst));
      assert.ok(existsSync(join(ws.local, ".vanishing-down.lupine-part")));
    } finally {
      serverMemoryPick = () => false;
    }
  });
});
