import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock } from "../../test/helpers/manual-clock.js";
import { Wakeups } from "./wakeups.js";

test("one timer: items are handed over at exactly their wakeAt, moved or removed ones too", () => {
  const clock = new ManualClock(0);
  const seen: [string, number][] = [];
  const w = new Wakeups<{ name: string; wakeAt: number; heapIndex: number }>(clock, (item, now) => {
    seen.push([item.name, now]);
    if (item.name === "again" && now < 300)
      item.wakeAt = now + 200; // moved later
    else w.delete(item);
  });
  const a = { name: "a", wakeAt: 50, heapIndex: -1 };
  const b = { name: "b", wakeAt: 100, heapIndex: -1 };
  const gone = { name: "gone", wakeAt: 70, heapIndex: -1 };
  w.add(b);
  w.add(a); // earlier than the armed 100: re-arms
  w.add(gone);
  w.add({ name: "again", wakeAt: 100, heapIndex: -1 });
  w.delete(gone);
  assert.equal(clock.pending, 1, "one clock timer for all items");
  clock.advanceTo(1000);
  // Items due at the same time may come in either order.
  const tie = (x: [string, number], y: [string, number]) => x[1] - y[1] || x[0].localeCompare(y[0]);
  assert.deepEqual(seen.sort(tie), [
    ["a", 50],
    ["again", 100],
    ["b", 100],
    ["again", 300],
  ]);
  assert.equal(w.size, 0);
  assert.equal(clock.pending, 0, "no timer once empty");
});
