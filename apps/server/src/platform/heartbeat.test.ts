import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startHeartbeat, type Watched } from './heartbeat.ts';

type Peer = Watched & { pings: number; terminated: boolean };

function peer(answers: boolean): Peer {
  const p: Peer = {
    alive: true,
    pings: 0,
    terminated: false,
    socket: {
      ping: () => {
        p.pings += 1;
        if (answers) p.alive = true;
      },
      terminate: () => {
        p.terminated = true;
      },
    },
  };
  return p;
}

describe('the heartbeat', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('pings every socket once an interval, a tenth at a time, and ends the ones that stopped answering', () => {
    const peers = [...Array.from({ length: 99 }, () => peer(true)), peer(false)];
    const heartbeat = startHeartbeat(() => peers, 30_000);
    const pingsPerTurn: number[] = [];
    let before = 0;
    for (let turn = 0; turn < 10; turn++) {
      vi.advanceTimersByTime(3_000);
      const total = peers.reduce((n, p) => n + p.pings, 0);
      pingsPerTurn.push(total - before);
      before = total;
    }
    expect(pingsPerTurn).toEqual(Array.from({ length: 10 }, () => 10));
    expect(peers.every((p) => p.pings === 1)).toBe(true);
    expect(peers.some((p) => p.terminated)).toBe(false);

    vi.advanceTimersByTime(30_000);
    expect(peers.filter((p) => p.terminated)).toEqual([peers[99]]);
    heartbeat.stop();
    vi.advanceTimersByTime(60_000);
    expect(peers[0]!.pings).toBe(2);
  });
});
