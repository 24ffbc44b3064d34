import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { isLoopback, NetworkSet, parseAddress } from "./networks.js";

describe("networks", () => {
  test("addresses parse to 16 bytes; everything else is null", () => {
    const hex = (s: string) => Buffer.from(parseAddress(s) ?? []).toString("hex");
    assert.equal(hex("1.2.3.4"), "00000000000000000000ffff01020304");
    assert.equal(hex("::ffff:1.2.3.4"), "00000000000000000000ffff01020304");
    assert.equal(hex("::1"), "00000000000000000000000000000001");
    assert.equal(hex("::"), "00000000000000000000000000000000");
    assert.equal(hex("fe80::1%eth0"), "fe800000000000000000000000000001");
    assert.equal(hex("[2001:db8::a:b]"), "20010db80000000000000000000a000b");
    assert.equal(hex("1:2:3:4:5:6:7:8"), "00010002000300040005000600070008");
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.256",
      "1.2.3.4.5",
      "01234::",
      "1::2::3",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "x.y.z.w",
      "::1.2.3",
    ]) {
      assert.equal(parseAddress(bad), null, bad);
    }
  });

  test("membership, table-driven", () => {
    const cases: [string[], string, boolean][] = [
      [["127.0.0.0/8"], "127.1.2.3", true],
      [["127.0.0.0/8"], "::ffff:127.0.0.1", true],
      [["127.0.0.0/8"], "128.0.0.1", false],
      [["10.1.0.0/16"], "10.1.255.255", true],
      [["10.1.0.0/16"], "10.2.0.0", false],
      [["192.168.1.128/25"], "192.168.1.129", true],
      [["192.168.1.128/25"], "192.168.1.127", false],
      [["0.0.0.0/0"], "8.8.8.8", true],
      [["0.0.0.0/0"], "::1", false],
      [["::/0"], "8.8.8.8", true],
      [["::1"], "::1", true],
      [["::1"], "::2", false],
      [["fe80::/10"], "febf::1", true],
      [["fe80::/10"], "fec0::1", false],
      [["10.0.0.7"], "10.0.0.7", true],
      [["10.0.0.7"], "10.0.0.8", false],
      [["loopback"], "::1", true],
      [["loopback"], "127.0.0.53", true],
      [["loopback"], "10.0.0.1", false],
      [[], "127.0.0.1", false],
      [["10.0.0.0/8"], "not an address", false],
    ];
    for (const [nets, address, expected] of cases) {
      assert.equal(new NetworkSet(nets).has(address), expected, `${nets} ∋ ${address}`);
    }
  });

  test("malformed networks are refused at construction, naming the text", () => {
    for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/x", "example.com", "10.0.0/8"]) {
      assert.throws(
        () => new NetworkSet([bad]),
        (e: Error) => e instanceof TypeError && e.message.includes(bad),
      );
    }
  });

  test("isLoopback", () => {
    assert.ok(isLoopback("127.0.0.1") && isLoopback("::1") && isLoopback("::ffff:127.9.9.9"));
    assert.ok(!isLoopback("10.0.0.1") && !isLoopback(undefined) && !isLoopback("::"));
  });
});
