/**
 * The server: a table of registered programs (see `dispatch.ts`) listening on one or more
 * {@link ServerTransport}s — ONC RPC over UDP and TCP, the Lupine transport, test transports —
 * with a graceful, bounded `close`.
 */
import type { RemoteAddress } from "./context.js";
import { type DispatchOptions, ProgramTable, type Registration } from "./dispatch.js";
import type { HandlersOf, ProgramDescriptor } from "./program.js";
import type { Dispatcher, ServerTransport } from "./transport.js";

/** Options of {@link createRpcServer}. */
export interface RpcServerOptions extends DispatchOptions {
  /** How long `close()` lets calls in flight finish before aborting them (ms); default 5000. */
  readonly closeGraceMs?: number;
}

/** A server (see the module comment). */
export interface RpcServer {
  /**
   * Serves one version of a program with `handlers` (procedure 0 is answered by the runtime
   * unless a handler is given for it). Several programs and versions may be registered, before
   * or after `listen`.
   */
  register<const P extends ProgramDescriptor>(program: P, handlers: HandlersOf<P>): this;
  /** Starts receiving on each transport; resolves with their bound addresses, in order. */
  listen(...transports: ServerTransport[]): Promise<RemoteAddress[]>;
  /** The transports listening now, with their addresses. */
  readonly listening: readonly {
    readonly transport: ServerTransport;
    readonly address: RemoteAddress;
  }[];
  /** Every registered program version. */
  registrations(): Registration[];
  /** The dispatcher (for transports wired by hand). */
  readonly dispatcher: Dispatcher;
  /**
   * Stops receiving, lets calls in flight finish for up to `graceMs` (default: the option), then
   * aborts them and closes every transport. Idempotent.
   */
  close(graceMs?: number): Promise<void>;
}

/** Creates a server; see {@link RpcServer}. */
export function createRpcServer(options: RpcServerOptions = {}): RpcServer {
  const table = new ProgramTable(options);
  const defaultGraceMs = options.closeGraceMs ?? 5000;
  const listening: { transport: ServerTransport; address: RemoteAddress }[] = [];
  let closing: Promise<void> | undefined;
  const server: RpcServer = {
    register(program, handlers) {
      table.register(program, handlers);
      return server;
    },
    async listen(...transports) {
      if (closing !== undefined) throw new Error("server is closed");
      const addresses: RemoteAddress[] = [];
      for (const transport of transports) {
        const address = await transport.listen(table);
        listening.push({ transport, address });
        addresses.push(address);
      }
      return addresses;
    },
    listening,
    registrations: () => table.registrations(),
    dispatcher: table,
    close(graceMs = defaultGraceMs) {
      closing ??= Promise.all(listening.map((l) => l.transport.close(graceMs))).then(() => {});
      return closing;
    },
  };
  return server;
}
