/**
 * Names inside a served folder: the string checks (table-driven) and the file-system checks
 * against real symbolic links planted in a temporary folder.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { nodeFileSystem } from "../io/node/file-system.js";
import { isFileTransferError, STATUS_NAMES } from "./errors.js";
import { baseName, dirName, isInside, resolveInside, splitName } from "./names.js";

function statusOf(f: () => unknown): string {
  try {
    f();
    return "ok";
  } catch (e) {
    assert.ok(isFileTransferError(e), String(e));
    return STATUS_NAMES[e.status];
  }
}

describe("splitName", () => {
  const cases: [string, string][] = [
    ["a.txt", "ok"],
    ["dir/a.txt", "ok"],
    [".hidden", "ok"],
    ["", "bad_name"],
    ["/etc/passwd", "bad_name"],
    ["../x", "bad_name"],
    ["a/../../x", "bad_name"],
    ["a/./b", "bad_name"],
    ["a//b", "bad_name"],
    ["a/", "bad_name"],
    ["..", "bad_name"],
    ["a\u0000b", "bad_name"],
    ["line\nbreak", "bad_name"],
    [".x.lupine-part", "bad_name"],
    ["d/.x.lupine-state", "bad_name"],
    ["x".repeat(256), "bad_name"],
    [`${"d/".repeat(600)}x`, "bad_name"],
  ];
  for (const [name, want] of cases) {
    test(`${JSON.stringify(name.slice(0, 30))} → ${want}`, () => {
      assert.equal(
        statusOf(() => splitName(name)),
        want,
      );
    });
  }
  test("components", () => {
    assert.deepEqual(splitName("a/b/c.txt"), ["a", "b", "c.txt"]);
  });
});

describe("path helpers", () => {
  test("isInside", () => {
    assert.equal(isInside("/srv", "/srv"), true);
    assert.equal(isInside("/srv", "/srv/a"), true);
    assert.equal(isInside("/srv", "/srvx/a"), false);
    assert.equal(isInside("/srv", "/"), false);
    assert.equal(isInside("/", "/anything"), true);
  });
  test("baseName and dirName", () => {
    assert.equal(baseName("a/b.txt"), "b.txt");
    assert.equal(baseName("b.txt"), "b.txt");
    assert.equal(baseName("a/b/"), "b");
    assert.equal(dirName("a/b.txt"), "a");
    assert.equal(dirName("b.txt"), ".");
    assert.equal(dirName("/b"), "/");
  });
});

describe("resolveInside, with links planted in the folder", () => {
  const top = realpathSync(mkdtempSync(join(tmpdir(), "lupine-names-")));
  after(() => rmSync(top, { recursive: true, force: true }));
  const root = join(top, "served");
  const outside = join(top, "outside");
  mkdirSync(join(root, "sub"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "secret"), "secret");
  writeFileSync(join(root, "sub", "ok.txt"), "ok");
  symlinkSync(outside, join(root, "escape")); // a folder link leading out
  symlinkSync(join(outside, "secret"), join(root, "secret-link")); // a file link leading out
  symlinkSync(join(root, "sub"), join(root, "inner")); // a folder link staying inside
  symlinkSync(join(root, "sub", "ok.txt"), join(root, "sub", "ok-link")); // a file link, inside

  const resolve = async (name: string) => {
    try {
      const r = await resolveInside(nodeFileSystem, root, name);
      return r.path;
    } catch (e) {
      assert.ok(isFileTransferError(e), String(e));
      return STATUS_NAMES[e.status];
    }
  };

  test("a plain name resolves to its canonical path", async () => {
    assert.equal(await resolve("sub/ok.txt"), join(root, "sub", "ok.txt"));
    assert.equal(await resolve("new.txt"), join(root, "new.txt"));
  });
  test("a folder link leading outside is refused", async () => {
    assert.equal(await resolve("escape/secret"), "bad_name");
    assert.equal(await resolve("escape/new"), "bad_name");
  });
  test("a file that is a symbolic link is refused, even one pointing inside", async () => {
    assert.equal(await resolve("secret-link"), "bad_name");
    assert.equal(await resolve("sub/ok-link"), "bad_name");
  });
  test("a folder link staying inside resolves to the real folder", async () => {
    assert.equal(await resolve("inner/ok.txt"), join(root, "sub", "ok.txt"));
  });
  test("a missing folder is not_found", async () => {
    assert.equal(await resolve("nope/x"), "not_found");
    assert.equal(await resolve("sub/ok.txt/x"), "not_found");
  });
});
