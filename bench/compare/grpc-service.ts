/**
 * The grpc-js service of the comparison: unary Echo and Sink of raw bytes (no protobuf encoding at
 * all, which only flatters grpc-js). Imported only by the processes that speak gRPC: loading
 * grpc-js costs a few hundred milliseconds per process.
 */
import type * as grpc from "@grpc/grpc-js";

function unary(path: string): grpc.MethodDefinition<Buffer, Buffer> {
  const same = (b: Buffer) => b;
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  };
}

/** Echo returns its request; Sink returns the request's length as a big-endian u32. */
export const grpcService: grpc.ServiceDefinition = {
  echo: unary("/lupine.bench.Bench/Echo"),
  sink: unary("/lupine.bench.Bench/Sink"),
};
