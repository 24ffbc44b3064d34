import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { frameRecord, RecordDecoder } from "./record-marking.js";

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

function decodeAll(stream: Uint8Array, cuts: number[], max = 1 << 20) {
  const d = new RecordDecoder({ maxRecordSize: max });
  const records: Uint8Array[] = [];
  let prev = 0;
  for (const cut of [...cuts, stream.length]) {
    const err = d.push(stream.subarray(prev, cut), (r) => records.push(r.slice()));
    if (err !== null) return { records, err };
    prev = cut;
  }
  return { records, err: null, buffered: d.bufferedBytes };
}

describe("record marking (RFC 5531 §11)", () => {
  test("one record, one fragment: header then bytes", () => {
    const framed = concat(frameRecord(Uint8Array.of(1, 2, 3, 4, 5), 100));
    assert.equal(Buffer.from(framed).toString("hex"), "800000050102030405");
  });

  test("a record of 10 bytes in fragments of 4: three headers, last bit only on the last", () => {
    const payload = Uint8Array.from({ length: 10 }, (_, i) => i);
    const framed = concat(frameRecord(payload, 4));
    assert.equal(
      Buffer.from(framed).toString("hex"),
      "00000004000102030000000404050607800000020809",
    );
    assert.deepEqual(decodeAll(framed, []).records, [payload]);
  });

  test("empty record and zero-length fragments", () => {
    const stream = Uint8Array.of(0, 0, 0, 0, 0x80, 0, 0, 0, 0x80, 0, 0, 1, 7);
    const { records } = decodeAll(stream, []);
    assert.deepEqual(records, [new Uint8Array(0), Uint8Array.of(7)]);
  });

  test("property: any records, any fragment size, any chunking decode to the same records", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }),
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (records, fragment, rawCuts) => {
          const stream = concat(records.flatMap((r) => frameRecord(r, fragment)));
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const got = decodeAll(stream, cuts);
          assert.equal(got.err, null);
          assert.deepEqual(got.records, records);
          assert.equal(got.buffered, 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("an oversized fragment header fails before its body arrives", () => {
    const d = new RecordDecoder({ maxRecordSize: 1000 });
    const err = d.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff), () => assert.fail("no record"));
    assert.deepEqual(err, { kind: "too-big", size: 0x7fffffff, maxRecordSize: 1000 });
    assert.equal(d.bufferedBytes, 0);
    // It stays failed.
    assert.deepEqual(
      d.push(Uint8Array.of(0x80, 0, 0, 0), () => assert.fail()),
      err,
    );
  });

  // Found by fuzzing (record-marking): bufferedBytes reported what a header announced (up to the
  // record limit) as held before a byte of the fragment had arrived.
  test("bufferedBytes counts the bytes received, not the bytes announced", () => {
    const d = new RecordDecoder({ maxRecordSize: 1 << 20 });
    const none = () => assert.fail("no record yet");
    assert.equal(d.push(Uint8Array.of(0, 0x0f, 0, 0, 1, 2, 3), none), null); // 983040 announced
    assert.equal(d.bufferedBytes, 3);
    assert.equal(d.push(new Uint8Array(5), none), null);
    assert.equal(d.bufferedBytes, 8);
    // Past the limit with the next header: nothing is held any more.
    const rest = new Uint8Array(983040 - 8 + 4);
    rest.set([0x80, 0x10, 0, 0], 983040 - 8); // 1 MiB more, last: beyond the limit
    assert.equal(d.push(rest, none)?.kind, "too-big");
    assert.equal(d.bufferedBytes, 0);
  });

  test("fragments adding up past the limit fail at the header that passes it", () => {
    const first = concat([Uint8Array.of(0, 0, 0x02, 0x58), new Uint8Array(600)]); // 600, not last
    const stream = concat([first, Uint8Array.of(0x80, 0, 0x01, 0x91)]); // 401, last: 1001 in all
    const got = decodeAll(stream, [5, 310, 600], 1000);
    assert.deepEqual(got.err, { kind: "too-big", size: 1001, maxRecordSize: 1000 });
    assert.deepEqual(got.records, []);
  });

  test("a record of exactly the limit is accepted", () => {
    const stream = concat(frameRecord(new Uint8Array(1000), 333));
    const got = decodeAll(stream, [1, 2, 3, 500], 1000);
    assert.equal(got.err, null);
    assert.equal(got.records[0]?.length, 1000);
  });
});
