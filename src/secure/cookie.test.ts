import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CookieIssuer, CookieJar } from "./cookie.js";
import { DEFAULT_LIMITS } from "./limits.js";
import { blake2s } from "./node-crypto.js";
import { buildInitiation, INITIATION_NOISE_LENGTH, MAC2_OFFSET } from "./packet.js";

const serverPublicKey = new Uint8Array(32).fill(7);
let state = 1;
function step(): number {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state;
}
const random = {
  nextU32: step,
  next: () => step() / 2 ** 32,
  bytes: (n: number) => Uint8Array.from({ length: n }, () => step() >>> 24),
};

function setup() {
  const issuer = new CookieIssuer({
    hash: blake2s,
    serverPublicKey,
    random,
    limits: DEFAULT_LIMITS,
  });
  const jar = new CookieJar({ hash: blake2s, serverPublicKey, limits: DEFAULT_LIMITS });
  const initiation = () => buildInitiation(42, new Uint8Array(INITIATION_NOISE_LENGTH).fill(1));
  return { issuer, jar, initiation };
}

describe("cookies (mac1, mac2, cookie reply)", () => {
  test("mac1 verifies only for a sender that used our public key", () => {
    const { issuer, jar, initiation } = setup();
    const m = initiation();
    jar.stamp(m, 0);
    assert.equal(issuer.verifyMac1(m), true);
    const other = new CookieJar({
      hash: blake2s,
      serverPublicKey: new Uint8Array(32),
      limits: DEFAULT_LIMITS,
    });
    const n = initiation();
    other.stamp(n, 0);
    assert.equal(issuer.verifyMac1(n), false);
  });

  test("a cookie proves the address it was issued for, for one to two rotation periods", () => {
    const { issuer, jar, initiation } = setup();
    const first = initiation();
    jar.stamp(first, 0);
    assert.equal(issuer.verifyMac2(first, "A", 0), false, "no cookie yet: mac2 is zero");
    assert.deepEqual(first.subarray(MAC2_OFFSET), new Uint8Array(16));
    const reply = issuer.cookieReply(first, 42, "A", 0);
    assert.equal(jar.accept(reply, 0), true);
    const retry = initiation();
    jar.stamp(retry, 1);
    assert.equal(issuer.verifyMac2(retry, "A", 1), true);
    assert.equal(issuer.verifyMac2(retry, "B", 1), false, "bound to the address");
    assert.equal(issuer.verifyMac2(retry, "A", 150_000), true, "previous secret still accepted");
    assert.equal(issuer.verifyMac2(retry, "A", 239_999), true);
    assert.equal(issuer.verifyMac2(retry, "A", 240_000), false, "two periods later: stale");
  });

  test("the client drops a cookie before the server could have rotated it away", () => {
    const { issuer, jar, initiation } = setup();
    const m = initiation();
    jar.stamp(m, 0);
    jar.accept(issuer.cookieReply(m, 42, "A", 0), 0);
    assert.equal(jar.hasFreshCookie(114_999), true);
    assert.equal(jar.hasFreshCookie(115_000), false, "120 s rotation − 5 s latency");
  });

  test("a cookie reply answering another initiation, or altered, is refused", () => {
    const { issuer, jar, initiation } = setup();
    const a = initiation();
    jar.stamp(a, 0);
    const reply = issuer.cookieReply(a, 42, "A", 0);
    const b = initiation();
    b[8] = 99; // a different initiation: different mac1
    jar.stamp(b, 0);
    assert.equal(jar.accept(reply, 0), false, "tag covers the mac1 it answers");
    jar.stamp(a, 0);
    const altered = Uint8Array.from(reply);
    altered[10] = altered[10]! ^ 1;
    assert.equal(jar.accept(altered, 0), false);
    assert.equal(jar.accept(reply, 0), true);
  });
});
