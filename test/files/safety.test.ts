/**
 * What the file server refuses, and what it survives: hostile names sent straight to the RPC
 * interface (no client-side checks in the way) — `..`, absolute paths, symbolic links planted in
 * the folder, a FIFO, a link planted where the partial file goes; a full disk (a small tmpfs),
 * a read-only file system, and permission denied (the server run as `nobody`, since root passes
 * every permission check). Each gives a clear error, keeps the partial file for resume, and
 * leaves the server serving.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { createClient } from "../../src/connect.js";
import {
  FilesProgV1,
  fetchFile,
  hex,
  type ServedFiles,
  STATUS_NAMES,
  sendFile,
  serveFiles,
} from "../../src/files/index.js";
import { startAndWait } from "../helpers/peer.js";
import { assertSameFile, outcome, randomFile, workspace } from "./helpers.js";

const cli = join(import.meta.dirname, "..", "..", "src", "cli", "main.js");

describe("hostile names, sent straight to the server", () => {
  const ws = workspace("names");
  const outside = join(ws.top, "outside");
  let served: ServedFiles;
  let client: ReturnType<typeof createClient<typeof FilesProgV1>>;
  before(async () => {
    mkdirSync(outside);
    writeFileSync(join(outside, "secret"), "secret");
    writeFileSync(join(outside, "victim"), "victim");
    writeFileSync(join(ws.served, "fine.txt"), "fine");
    symlinkSync(outside, join(ws.served, "escape"));
    symlinkSync(join(outside, "secret"), join(ws.served, "link"));
    symlinkSync(join(outside, "victim"), join(ws.served, ".planted.lupine-part"));
    spawnSync("mkfifo", [join(ws.served, "fifo")]);
    served = await serveFiles({ dir: ws.served });
    client = createClient(FilesProgV1, served.url);
  });
  after(async () => {
    await client.$close();
    await served.close();
  });

  const emptyManifest = {
    size: 0n,
    chunk_bytes: 65536,
    // SHA-256 of nothing.
    digest: Uint8Array.from(
      Buffer.from("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "hex"),
    ),
    chunks: [],
  };
  const cases: [string, string][] = [
    ["../outside/secret", "bad_name"],
    ["/etc/passwd", "bad_name"],
    ["a/../../outside/secret", "bad_name"],
    ["", "bad_name"],
    ["escape/secret", "bad_name"],
    ["escape/new", "bad_name"],
    ["link", "bad_name"],
    [".planted.lupine-part", "bad_name"],
    ["fine.txt/x", "not_found"],
  ];
  for (const [name, want] of cases) {
    test(`${JSON.stringify(name)}: fetch and upload refused (${want})`, async () => {
      const g = await client.filesGetOpen(name, { timeoutMs: 5000 });
      assert.equal(STATUS_NAMES[g.status], want, JSON.stringify(g));
      const p = await client.filesPutOpen(
        { name, manifest: emptyManifest, force: true },
        { timeoutMs: 5000 },
      );
      assert.equal(STATUS_NAMES[p.status], want, JSON.stringify(p));
      assert.deepEqual(readdirSync(outside).sort(), ["secret", "victim"]);
      assert.equal(readFileSync(join(outside, "secret"), "utf8"), "secret");
    });
  }

  test("a FIFO is not a file (and opening it does not hang the server)", async () => {
    const g = await client.filesGetOpen("fifo", { timeoutMs: 5000 });
    assert.equal(STATUS_NAMES[g.status], "not_a_file", JSON.stringify(g));
  });

  test("a link planted where the partial file goes is refused, not written through", async () => {
    const p = await client.filesPutOpen(
      { name: "planted", manifest: emptyManifest, force: false },
      { timeoutMs: 5000 },
    );
    assert.equal(STATUS_NAMES[p.status], "bad_name", JSON.stringify(p));
    assert.equal(readFileSync(join(outside, "victim"), "utf8"), "victim");
  });

  test("after all that the server still serves", async () => {
    const dst = join(ws.local, "fine.txt");
    const r = await fetchFile(`${served.url}/fine.txt`, dst);
    assert.equal(r.size, 4);
    assert.equal(readFileSync(dst, "utf8"), "fine");
  });
});

const root = process.getuid?.() === 0;
const mountMissing = (() => {
  if (!root) return "needs root (mount, or running the server as another user)";
  const probe = workspace("probe").top;
  const r = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]);
  if (r.status !== 0) return `cannot mount a tmpfs: ${r.stderr}`;
  spawnSync("umount", [probe]);
  return undefined;
})();

describe("a full disk, and a read-only one", { skip: mountMissing }, () => {
  const ws = workspace("full");
  let served: ServedFiles;
  before(async () => {
    assert.equal(
      spawnSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", ws.served]).status,
      0,
    );
    writeFileSync(join(ws.served, "small.txt"), "small");
    served = await serveFiles({ dir: ws.served });
  });
  after(async () => {
    await served.close();
    spawnSync("umount", [ws.served]);
  });

  test("no space: a clear error, the partial file kept, then resumed once there is room", async () => {
    const src = join(ws.local, "big");
    randomFile(src, 1 << 20);
    const first = sendFile(src, `${served.url}/big`, { chunkBytes: 16384 });
    await assert.rejects(
      first,
      /\[no_space\] server: no space left on device writing big \(the partial file is kept for resume\)/,
    );
    assert.ok(existsSync(join(ws.served, ".big.lupine-part")));
    // The server is unharmed: it still serves what it has.
    const small = join(ws.local, "small.txt");
    await fetchFile(`${served.url}/small.txt`, small);
    assert.equal(readFileSync(small, "utf8"), "small");
    // Room again: the same command resumes from the chunks verified on disk.
    assert.equal(spawnSync("mount", ["-o", "remount,size=4m", ws.served]).status, 0);
    const r = await sendFile(src, `${served.url}/big`, { chunkBytes: 16384 });
    assert.ok(r.resumedChunks > 0, `resumed ${r.resumedChunks}`);
    assert.equal(r.chunksSent, r.chunks - r.resumedChunks);
    assertSameFile(src, join(ws.served, "big"));
  });

  test("read-only file system: access refused, the server unharmed", async () => {
    assert.equal(spawnSync("mount", ["-o", "remount,ro", ws.served]).status, 0);
    try {
      const src = join(ws.local, "ro");
      randomFile(src, 1000);
      const e = await sendFile(src, `${served.url}/ro`).catch((x: Error) => x);
      assert.match(String(e), /\[access\] server: read-only file system/);
      const small = join(ws.local, "small-again.txt");
      await fetchFile(`${served.url}/small.txt`, small);
      assert.equal(readFileSync(small, "utf8"), "small");
    } finally {
      spawnSync("mount", ["-o", "remount,rw", ws.served]);
    }
  });
});

describe("permission denied (the server runs as nobody)", {
  skip: root ? false : "needs root",
}, () => {
  const ws = workspace("perm");
  let server: Awaited<ReturnType<typeof startAndWait>> | undefined;
  let url = "";
  before(async () => {
    chmodSync(ws.top, 0o755);
    chmodSync(ws.served, 0o755); // root's folder: nobody may read it, not write it
    writeFileSync(join(ws.served, "public.txt"), "public", { mode: 0o644 });
    writeFileSync(join(ws.served, "private.txt"), "private", { mode: 0o600 });
    server = await startAndWait(
      "setpriv",
      [
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        process.execPath,
        cli,
        "serve-files",
        "--dir",
        ws.served,
        "--port",
        "0",
      ],
      "serving",
    );
    url = /on (lupine:\/\/\S+)/.exec(server.line)![1]!;
  });
  after(() => {
    server?.child.kill("SIGTERM");
  });

  test("an upload into a folder it may not write: access, clearly", async () => {
    const src = join(ws.local, "up");
    randomFile(src, 5000);
    const e = await sendFile(src, `${url}/up`).catch((x: Error) => x);
    assert.match(String(e), /\[access\] server: permission denied receiving up/);
  });

  test("a file it may not read: access; a readable one still comes", async () => {
    assert.equal(await outcome(fetchFile(`${url}/private.txt`, join(ws.local, "p"))), "access");
    const r = await fetchFile(`${url}/public.txt`, join(ws.local, "public.txt"));
    assert.equal(r.size, 6);
    assert.equal(hex(r.digest).length, 64);
  });
});
