/**
 * What one endpoint knows about the path to one peer: its RTT estimator, its congestion
 * controller, and the transmission counter that orders fragment transmissions for loss detection
 * (RFC 9002 §6.1 uses packet numbers; Lupine numbers transmissions sender-side only, so nothing
 * extra goes on the wire). Shared by every message to that peer.
 */
import { CongestionController, type CongestionOptions } from "./congestion.js";
import { RttEstimator, type RttOptions } from "./rtt.js";

/** Counters of one peer, readable from client and server stats. */
export interface PathCounters {
  /** Datagrams and bytes handed to the port. */
  datagramsSent: number;
  bytesSent: number;
  datagramsReceived: number;
  bytesReceived: number;
  /** Retransmitted requests, probes and fragments. */
  retransmissions: number;
  /** Duplicate calls, replies and fragments received and dropped (or answered from cache). */
  duplicatesDropped: number;
  /** Datagrams dropped for a bad checksum, header or frame length. */
  corruptDropped: number;
}

export class Path {
  readonly rtt: RttEstimator;
  readonly cc: CongestionController;
  /** Transmission number of the next fragment sent on this path. */
  txCounter = 1;
  readonly counters: PathCounters = {
    datagramsSent: 0,
    bytesSent: 0,
    datagramsReceived: 0,
    bytesReceived: 0,
    retransmissions: 0,
    duplicatesDropped: 0,
    corruptDropped: 0,
  };

  constructor(options: {
    maxDatagramBytes: number;
    rtt?: RttOptions | undefined;
    congestion?: Omit<CongestionOptions, "maxDatagramBytes"> | undefined;
  }) {
    this.rtt = new RttEstimator(options.rtt);
    this.cc = new CongestionController({
      ...options.congestion,
      maxDatagramBytes: options.maxDatagramBytes,
    });
  }
}
