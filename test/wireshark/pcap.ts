/**
 * Hand-made captures for the dissector test: Lupine datagrams built with the transport's own
 * header writer and checksum, wrapped in IPv4 + UDP headers, in a classic pcap file
 * (LINKTYPE_RAW: each record is an IP packet).
 */
import { nodeCrc32 } from "../../src/io/node/crc32.js";
import { FrameType, HEADER_BYTES, sealChecksum, writeHeader } from "../../src/reliable/packet.js";

/** A Lupine datagram: a Hello frame, then `extraFrame` raw bytes, in IPv4/UDP 127.0.0.1:45001→45002. */
export function udpDatagram(o: {
  hello: boolean;
  flags?: number;
  corruptChecksum?: boolean;
  extraFrame?: readonly number[];
}): Uint8Array {
  const extra = o.extraFrame ?? [];
  const lupine = new Uint8Array(HEADER_BYTES + (o.hello ? 4 : 0) + extra.length);
  const view = new DataView(lupine.buffer);
  writeHeader(view, 0, { flags: o.flags ?? 0, sessionHi: 0x1234, sessionLo: 0x5678, epoch: 0 });
  let at = HEADER_BYTES;
  if (o.hello) {
    lupine.set([FrameType.Hello, 0, 0, 0], at);
    at += 4;
  }
  lupine.set(extra, at);
  sealChecksum(lupine, nodeCrc32);
  if (o.corruptChecksum === true) lupine[4]! ^= 0x01;
  const packet = new Uint8Array(28 + lupine.length);
  const p = new DataView(packet.buffer);
  p.setUint8(0, 0x45); // IPv4, 20-byte header
  p.setUint16(2, packet.length);
  p.setUint8(8, 64); // TTL
  p.setUint8(9, 17); // UDP
  packet.set([127, 0, 0, 1, 127, 0, 0, 1], 12);
  p.setUint16(20, 45001);
  p.setUint16(22, 45002);
  p.setUint16(24, 8 + lupine.length); // UDP length; checksum 0: none
  packet.set(lupine, 28);
  return packet;
}

/** A pcap file of raw IP packets, one per record. */
export function pcapOf(packets: readonly Uint8Array[]): Uint8Array {
  const size = 24 + packets.reduce((n, x) => n + 16 + x.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true); // magic, microsecond timestamps
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true); // snap length
  v.setUint32(20, 101, true); // LINKTYPE_RAW
  let at = 24;
  packets.forEach((x, i) => {
    v.setUint32(at, 1_700_000_000 + i, true);
    v.setUint32(at + 8, x.length, true);
    v.setUint32(at + 12, x.length, true);
    out.set(x, at + 16);
    at += 16 + x.length;
  });
  return out;
}
