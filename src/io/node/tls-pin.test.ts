import assert from "node:assert/strict";
import { test } from "node:test";
import { normalizePin } from "./tls.js";

test("normalizePin: sha256/X, curl's sha256//X and bare X, also for a digest starting with '/'", () => {
  const plain = "vtYAIWMZL5j6l9Lt7k3ci3TmYq0IZfr185rr6ABUzE0=";
  const slash = "/vtYAIWMZL5j6l9Lt7k3ci3TmYq0IZfr185rr6ABUzE=";
  for (const b64 of [plain, slash]) {
    assert.equal(normalizePin(`sha256/${b64}`), `sha256/${b64}`);
    assert.equal(normalizePin(`sha256//${b64}`), `sha256/${b64}`);
    assert.equal(normalizePin(b64), `sha256/${b64}`);
  }
  assert.throws(() => normalizePin("sha256/short="), /bad pin/);
});
