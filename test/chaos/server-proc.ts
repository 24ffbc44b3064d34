/**
 * A lab server process: serves {@link ChaosV1} through the public runtime (`createServer`) on
 * one `lupine://` or `udp://` listener, recording every execution in the execution log.
 *
 * Usage: `node server-proc.js '<ServerConfig as JSON>'`. Prints `{"event":"ready","port","pid"}`
 * once listening; answers `{"cmd":"stats","id":n}` with the transport's statistics and the
 * process's memory (after a full GC when `gc` is true and node runs with --expose-gc); closes
 * and exits when stdin ends. The lab kills it with SIGKILL to simulate a crash.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createServer, type ServerOptions, silentLogger } from "../../src/index.js";
import { ExecLogWriter } from "./exec-log.js";
import { emit, type Message, onCommands } from "./lines.js";
import { ChaosV1, fnv1a } from "./program.js";

/** What a lab server serves and how. */
export interface ServerConfig {
  readonly scheme: "lupine" | "udp";
  /** Address to bind (default 127.0.0.1; `0.0.0.0` inside a netlab host reached over a link). */
  readonly host?: string;
  /** Ports to try in order (the first free one is used); `[0]` for an ephemeral port. */
  readonly ports: readonly number[];
  readonly execLog: string;
  /** `createServer` transport options (`lupine`, `udp`). */
  readonly options?: Pick<ServerOptions, "lupine" | "udp">;
  /** Microseconds of CPU work per call (simulates a handler that computes). */
  readonly cpuWorkUs?: number;
}

function spin(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until) {
    // busy: the handler's own work
  }
}

async function main(config: ServerConfig): Promise<void> {
  const log = new ExecLogWriter(config.execLog);
  const server = createServer({ ...config.options, logger: silentLogger });
  const cpuWorkUs = config.cpuWorkUs ?? 0;
  server.register(ChaosV1, {
    exec(clientId, callId, delayMs, payload) {
      log.record(clientId, callId);
      if (cpuWorkUs > 0) spin(cpuWorkUs);
      const result = { clientId, callId, payloadDigest: fnv1a(payload), serverPid: process.pid };
      if (delayMs === 0) return result;
      return new Promise((resolve) => setTimeout(() => resolve(result), delayMs));
    },
    echo(clientId, callId, delayMs, payload) {
      log.record(clientId, callId);
      const result = { clientId, callId, payload };
      if (delayMs === 0) return result;
      return new Promise((resolve) => setTimeout(() => resolve(result), delayMs));
    },
  });
  const host = config.host ?? "127.0.0.1";
  let port = -1;
  let lastError: unknown;
  for (const candidate of config.ports) {
    try {
      const [address] = await server.listen(`${config.scheme}://${host}:${candidate}`);
      port = address!.port;
      break;
    } catch (e) {
      lastError = e;
    }
  }
  if (port < 0) throw lastError;
  // Lupine's transport has stats(); the ONC UDP server a stats object.
  const transport = server.listening[0]!.transport as { stats?: (() => unknown) | object };
  const stats = () => (typeof transport.stats === "function" ? transport.stats() : transport.stats);
  const gc = (globalThis as { gc?: () => void }).gc;
  // How late the event loop runs (scheduling and GC pauses), reset at every stats request.
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  onCommands(
    (command: Message) => {
      if (command.cmd === "stats") {
        if (command.gc === true) gc?.();
        emit("stats", {
          id: command.id,
          transport: stats() ?? {},
          memory: process.memoryUsage(),
          cpu: process.cpuUsage(),
          loopDelayMs: {
            p50: lag.percentile(50) / 1e6,
            p99: lag.percentile(99) / 1e6,
            max: lag.max / 1e6,
          },
        });
        lag.reset();
      }
    },
    () => {
      void server.close(0).then(() => process.exit(0));
    },
  );
  emit("ready", { port, pid: process.pid });
}

main(JSON.parse(process.argv[2]!) as ServerConfig).catch((e: unknown) => {
  process.stderr.write(`server-proc: ${String(e)}\n`);
  process.exit(2);
});
