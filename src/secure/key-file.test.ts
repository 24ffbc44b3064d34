import assert from "node:assert/strict";
import { chmod, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { nodeRandom } from "../io/node/random.js";
import { createAllowList, parseAllowList } from "./allow-list.js";
import {
  generateKeyFile,
  KeyFileError,
  readAllowListFile,
  readPrivateKeyFile,
  readPublicKeyFile,
} from "./key-file.js";
import { encodeKey } from "./key-text.js";

const posix = process.platform !== "win32";

describe("key files", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "lupine-keys-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("generate writes mode 0600; reading gives the same key pair", async () => {
    const path = join(dir, "server.key");
    const pair = await generateKeyFile(path, nodeRandom);
    if (posix) assert.equal((await stat(path)).mode & 0o777, 0o600);
    const read = await readPrivateKeyFile(path);
    assert.deepEqual(read.publicKey, pair.publicKey);
    await assert.rejects(generateKeyFile(path, nodeRandom), /already exists/);
    const replaced = await generateKeyFile(path, nodeRandom, { overwrite: true });
    assert.notDeepEqual(replaced.publicKey, pair.publicKey);
  });

  test("a private key readable by group or others is refused, with the fix", {
    skip: !posix && "POSIX modes",
  }, async () => {
    const path = join(dir, "open.key");
    await generateKeyFile(path, nodeRandom);
    for (const mode of [0o640, 0o604, 0o644, 0o660]) {
      await chmod(path, mode);
      await assert.rejects(readPrivateKeyFile(path), (e: unknown) => {
        assert.ok(e instanceof KeyFileError);
        assert.match(e.message, /accessible by group or others/);
        assert.match(e.message, /chmod 600/);
        return true;
      });
    }
  });

  test("bad contents: wrong length, not base64, too big, missing, a directory", async () => {
    const cases: [string, string | null, RegExp][] = [
      ["short.key", "AAAA\n", /expected 44 base64 characters/],
      ["junk.key", `${"!".repeat(43)}=\n`, /expected 44 base64 characters/],
      ["big.key", "A".repeat(5000), /not a key file/],
    ];
    for (const [name, content, expected] of cases) {
      const path = join(dir, name);
      await writeFile(path, content ?? "", { mode: 0o600 });
      await assert.rejects(readPrivateKeyFile(path), expected);
    }
    await assert.rejects(
      readPrivateKeyFile(join(dir, "missing.key")),
      /cannot read private key file/,
    );
    await assert.rejects(readPrivateKeyFile(dir), /not a regular file/);
  });

  test("public key files and allow-list files", async () => {
    const pair = await readPrivateKeyFile(
      await (async () => {
        const p = join(dir, "c.key");
        await generateKeyFile(p, nodeRandom);
        return p;
      })(),
    );
    const pub = join(dir, "c.pub");
    await writeFile(pub, `${encodeKey(pair.publicKey)}\n`);
    assert.deepEqual(await readPublicKeyFile(pub), pair.publicKey);
    const list = join(dir, "clients.allow");
    await writeFile(list, `# clients\n${encodeKey(pair.publicKey)} ci runner\n\n`);
    const allow = await readAllowListFile(list);
    assert.equal(allow.has(pair.publicKey), true);
    assert.equal(allow.nameOf(pair.publicKey), "ci runner");
    assert.equal(allow.has(new Uint8Array(32)), false);
    await writeFile(list, "# ok\nnot-a-key\n");
    await assert.rejects(readAllowListFile(list), /clients\.allow:2: key: expected 44 base64/);
  });
});

describe("allow-lists", () => {
  test("membership by raw key; names; sizes", () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    const list = createAllowList([a, { key: encodeKey(b), name: "bee" }]);
    assert.equal(list.size, 2);
    assert.equal(list.has(a) && list.has(b), true);
    assert.equal(list.nameOf(b), "bee");
    assert.equal(list.has(new Uint8Array(31)), false);
    assert.equal(parseAllowList("\n# nothing\n").size, 0);
  });
});
