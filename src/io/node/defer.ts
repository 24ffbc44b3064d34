/**
 * "Soon, after the I/O of this event-loop turn": `setImmediate`. Transports flush their output
 * through it, so everything produced while handling one batch of received datagrams (and the
 * microtasks they started) leaves packed into as few datagrams as possible.
 */
export function nodeDefer(fn: () => void): void {
  setImmediate(fn);
}
