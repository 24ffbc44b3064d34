/**
 * `lupine/testing`: the deterministic simulation — a datagram network with a virtual clock and
 * one seeded PRNG, the invariant checker, a ledger program whose handler records executions, a
 * ready-made client–server pair, and the scenario runner behind `npm test` and `npm run sim`.
 */
export { CallLedger, type CallRecord } from "./invariants.js";
export {
  digest,
  LEDGER_CALL,
  LEDGER_PROGRAM,
  LEDGER_VERSION,
  type LedgerArgs,
  ledgerDispatcher,
  ledgerRequest,
  replyPayload,
  resultKey,
} from "./ledger-program.js";
export { Prng } from "./prng.js";
export {
  FAULT_MIXES,
  type FaultMix,
  runScenario,
  type ScenarioOptions,
  type ScenarioResult,
} from "./scenario.js";
export { SimClock } from "./sim-clock.js";
export {
  DEFAULT_LINK,
  type LinkConfig,
  type NetworkCounters,
  SimNetwork,
  SimNode,
  SimPort,
} from "./sim-network.js";
export {
  createSimPair,
  SIM_SERVER_ADDRESS,
  SIM_SERVER_PORT,
  type SimPair,
  type SimPairOptions,
} from "./sim-pair.js";
