import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeKey, encodeKey } from "./key-text.js";
import {
  buildCookieReply,
  buildInitiation,
  buildResponse,
  buildSessionUnknown,
  compareTimestamps,
  encodeTimestamp,
  INITIATION_LENGTH,
  INITIATION_NOISE_LENGTH,
  packetType,
  parseCookieReply,
  parseDataHeader,
  parseInitiation,
  parseResponse,
  parseSessionUnknown,
  writeDataHeader,
} from "./packet.js";

describe("packet formats", () => {
  test("round trips and exact sizes", () => {
    const init = buildInitiation(0xdeadbeef, new Uint8Array(INITIATION_NOISE_LENGTH).fill(9));
    assert.equal(init.length, INITIATION_LENGTH);
    assert.equal(parseInitiation(init)?.senderIndex, 0xdeadbeef);
    const resp = buildResponse(1, 2, new Uint8Array(49));
    assert.deepEqual(
      [parseResponse(resp, 1000)?.senderIndex, parseResponse(resp, 1000)?.receiverIndex],
      [1, 2],
    );
    assert.equal(parseResponse(resp, 60), null, "longer than the caller's bound");
    assert.equal(parseCookieReply(buildCookieReply(7, new Uint8Array(16)))?.receiverIndex, 7);
    assert.equal(parseSessionUnknown(buildSessionUnknown(8))?.receiverIndex, 8);
    const data = new Uint8Array(40);
    writeDataHeader(data, 5, 2 ** 40 + 3);
    assert.deepEqual(parseDataHeader(data), { receiverIndex: 5, counter: 2 ** 40 + 3 });
  });

  test("wrong lengths, types and reserved bytes are malformed, never exceptions", () => {
    const init = buildInitiation(1, new Uint8Array(INITIATION_NOISE_LENGTH));
    assert.equal(parseInitiation(init.subarray(0, 147)), null);
    const reserved = Uint8Array.from(init);
    reserved[2] = 1;
    assert.equal(packetType(reserved), null);
    assert.equal(parseInitiation(reserved), null);
    assert.equal(packetType(Uint8Array.of(9, 0, 0, 0, 0, 0, 0, 0)), null);
    assert.equal(packetType(new Uint8Array(3)), null);
    assert.equal(
      parseDataHeader(new Uint8Array(31).fill(0).map((_, i) => (i === 0 ? 4 : 0))),
      null,
    );
    const huge = new Uint8Array(40);
    writeDataHeader(huge, 1, 0);
    huge.fill(0xff, 8, 16);
    assert.equal(parseDataHeader(huge)?.counter, -1, "counters beyond 2^53 are flagged");
  });

  test("timestamps order as time does", () => {
    const a = encodeTimestamp(1_750_000_000_000);
    const b = encodeTimestamp(1_750_000_000_000.5);
    const c = encodeTimestamp(1_750_000_001_000);
    assert.ok(
      compareTimestamps(a, b) < 0 && compareTimestamps(b, c) < 0 && compareTimestamps(c, c) === 0,
    );
  });
});

describe("key text", () => {
  test("base64 round trip, and clear errors", () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
    const t = encodeKey(key);
    assert.equal(t.length, 44);
    assert.deepEqual(decodeKey(`  ${t}\n`), key);
    assert.throws(
      () => decodeKey("abc", "server public key"),
      /server public key: expected 44 base64 characters/,
    );
    assert.throws(() => decodeKey(""), /got nothing/);
    assert.throws(() => decodeKey(`${t.slice(0, 42)}B=`), /not canonical/);
  });
});
