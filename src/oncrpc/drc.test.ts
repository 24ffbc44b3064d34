import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { argsChecksum, DuplicateRequestCache, drcKey, ENTRY_OVERHEAD_BYTES } from "./drc.js";

const key = (xid: number, sum = 0) =>
  drcKey({
    address: "127.0.0.1",
    port: 9,
    xid,
    program: 1,
    version: 1,
    procedure: 1,
    checksum: sum,
  });

describe("duplicate-request cache", () => {
  test("new, then in progress, then done with the cached reply", () => {
    const c = new DuplicateRequestCache();
    assert.equal(c.begin(key(1), 0).state, "new");
    assert.equal(c.begin(key(1), 1).state, "in-progress");
    const reply = Uint8Array.of(1, 2, 3);
    c.complete(key(1), reply);
    const hit = c.begin(key(1), 2);
    assert.equal(hit.state, "done");
    assert.equal(hit.state === "done" && hit.reply, reply);
    assert.deepEqual(c.stats, { hits: 1, inProgressDrops: 1, misses: 1, evictions: 0 });
  });

  test("a different checksum, xid, port or procedure is a different call", () => {
    const c = new DuplicateRequestCache();
    c.begin(key(1, 5), 0);
    assert.equal(c.begin(key(1, 6), 0).state, "new");
    assert.equal(c.begin(key(2, 5), 0).state, "new");
    const other = drcKey({
      address: "127.0.0.1",
      port: 10,
      xid: 1,
      program: 1,
      version: 1,
      procedure: 1,
      checksum: 5,
    });
    assert.equal(c.begin(other, 0).state, "new");
  });

  test("entries expire at exactly maxAgeMs", () => {
    const c = new DuplicateRequestCache({ maxAgeMs: 1000 });
    c.begin(key(1), 0);
    c.complete(key(1), Uint8Array.of(1));
    assert.equal(c.begin(key(1), 999).state, "done");
    assert.equal(c.begin(key(2), 1000).state, "new"); // expiry runs first
    assert.equal(c.size, 1);
    assert.equal(c.begin(key(1), 1000).state, "new");
  });

  test("bounded in entries: the oldest go first", () => {
    const c = new DuplicateRequestCache({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) c.begin(key(i), i);
    assert.equal(c.size, 3);
    assert.equal(c.begin(key(0), 10).state, "new");
    assert.equal(c.begin(key(4), 10).state, "in-progress");
    assert.equal(c.stats.evictions, 3);
  });

  test("bounded in bytes; a reply bigger than the cache is not kept", () => {
    const c = new DuplicateRequestCache({ maxBytes: 2 * ENTRY_OVERHEAD_BYTES + 100 });
    c.begin(key(1), 0);
    c.complete(key(1), new Uint8Array(60));
    c.begin(key(2), 0);
    c.complete(key(2), new Uint8Array(60));
    assert.equal(c.size, 1, "the first entry went to make room");
    assert.ok(c.byteSize <= 2 * ENTRY_OVERHEAD_BYTES + 100);
    c.begin(key(3), 0);
    c.complete(key(3), new Uint8Array(10_000));
    assert.equal(c.begin(key(3), 0).state, "new");
  });

  test("abandon forgets a call", () => {
    const c = new DuplicateRequestCache();
    c.begin(key(1), 0);
    c.abandon(key(1));
    assert.equal(c.size, 0);
    assert.equal(c.byteSize, 0);
  });

  test("checksum covers content and length", () => {
    const a = Uint8Array.of(1, 2, 3, 4);
    assert.notEqual(argsChecksum(a), argsChecksum(Uint8Array.of(1, 2, 3, 5)));
    assert.notEqual(argsChecksum(new Uint8Array(300)), argsChecksum(new Uint8Array(301)));
    assert.equal(argsChecksum(Uint8Array.of(9, 1, 2, 3, 4), 1), argsChecksum(a));
  });
});
