/** Interfaces to the outside world that the protocol layers need; implementations live in
 * `io/node/` (real) and `testing/` (simulated). */
export type { Clock, TimerHandle } from "./clock.js";
export type { DatagramPort, Endpoint, SendFailure } from "./datagram.js";
export type { Random } from "./random.js";
export type { ByteStream, StreamListener } from "./stream.js";
