/** Helpers of the file-transfer tests: temporary folders, random files, outcome names. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isFileTransferError, STATUS_NAMES } from "../../src/files/index.js";
import { isRpcError } from "../../src/runtime/errors.js";

const made: string[] = [];
process.on("exit", () => {
  for (const dir of made) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // A mount still in place (a test that failed before unmounting): leave it.
    }
  }
});

/** A fresh folder with `served/` and `local/` inside, removed when the process exits. */
export function workspace(tag: string): { top: string; served: string; local: string } {
  const top = realpathSync(mkdtempSync(join(tmpdir(), `lupine-files-${tag}-`)));
  made.push(top);
  const served = join(top, "served");
  const local = join(top, "local");
  mkdirSync(served);
  mkdirSync(local);
  return { top, served, local };
}

/** Writes `bytes` random bytes to `path`; returns them. */
export function randomFile(path: string, bytes: number): Buffer {
  const data = randomBytes(bytes);
  writeFileSync(path, data);
  return data;
}

/** Asserts the two files hold the same bytes. */
export function assertSameFile(a: string, b: string): void {
  assert.ok(readFileSync(a).equals(readFileSync(b)), `${a} and ${b} differ`);
}

/** The status name (`bad_name`) or RpcError code a promise rejects with; `ok` if it resolves. */
export async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (isFileTransferError(e)) return STATUS_NAMES[e.status];
    if (isRpcError(e)) return e.code;
    throw e;
  }
}
