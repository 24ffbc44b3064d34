/**
 * Every scenario of the reliability lab, in the order they run: the CI test
 * (test/chaos/chaos.test.ts) runs their short versions, `npm run chaos` any of them, short or
 * long (tools/chaos.ts).
 */
import type { Lab, Scale, ScenarioReport } from "../lab.js";
import { clientCrash } from "./client-crash.js";
import { failover } from "./failover.js";
import { oncRestart } from "./onc-restart.js";
import { overload } from "./overload.js";
import { partition } from "./partition.js";
import { scale } from "./scale.js";
import { serverCrash } from "./server-crash.js";
import { soak } from "./soak.js";

/** One scenario: its id on the command line, what it shows, and whether it needs netlab. */
export interface ScenarioEntry {
  readonly id: string;
  readonly title: string;
  readonly run: (lab: Lab, scale: Scale) => Promise<ScenarioReport>;
  readonly netlab: boolean;
  /** Upper bound on the short version's running time (the CI test's timeout). */
  readonly shortTimeoutMs: number;
}

export const SCENARIOS: readonly ScenarioEntry[] = [
  {
    id: "server-crash",
    title: "server crash and restart (Lupine)",
    run: serverCrash,
    netlab: false,
    shortTimeoutMs: 90_000,
  },
  {
    id: "client-crash",
    title: "client crash and restart (Lupine)",
    run: clientCrash,
    netlab: false,
    shortTimeoutMs: 90_000,
  },
  {
    id: "onc-restart",
    title: "ONC UDP: the duplicate-request cache across a restart",
    run: oncRestart,
    netlab: false,
    shortTimeoutMs: 90_000,
  },
  {
    id: "failover",
    title: "failover between two servers",
    run: failover,
    netlab: false,
    shortTimeoutMs: 90_000,
  },
  {
    id: "partition",
    title: "partitions (netlab)",
    run: partition,
    netlab: true,
    shortTimeoutMs: 120_000,
  },
  {
    id: "overload",
    title: "overload: 50 client processes",
    run: overload,
    netlab: false,
    shortTimeoutMs: 180_000,
  },
  {
    id: "scale",
    title: "scale: 10,000 sessions",
    run: scale,
    netlab: false,
    shortTimeoutMs: 180_000,
  },
  { id: "soak", title: "soak (netlab)", run: soak, netlab: true, shortTimeoutMs: 120_000 },
];
