/**
 * Certificate pins: `sha256/<base64>` and curl's `sha256//<base64>`, including a digest whose
 * base64 starts with "/" (1 in 64 random certificates: the RPC-with-TLS test failed on one).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizePin } from "./tls.js";

test("normalizePin accepts both spellings, also when the base64 starts with a slash", () => {
  const slash = "/F9er7Mfq/xvWgyxqTHzEqVhdn0Wtfm4eL0mEKbsv5Q=";
  const plain = "F9er7Mfq/xvWgyxqTHzEqVhdn0Wtfm4eL0mEKbsv5Qx=";
  assert.equal(normalizePin(`sha256/${slash}`), `sha256/${slash}`);
  assert.equal(normalizePin(`sha256//${slash}`), `sha256/${slash}`);
  assert.equal(normalizePin(`sha256/${plain}`), `sha256/${plain}`);
  assert.equal(normalizePin(`SHA256//${plain}`), `sha256/${plain}`);
  assert.throws(() => normalizePin(`sha256/${plain.slice(1)}`), /bad pin/);
  assert.throws(() => normalizePin(`sha256///${plain}`), /bad pin/);
});
