import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { ChatClient, type ChatEvent, type SocketLike } from '@touchpoint/widget/protocol';
import type { Running } from './harness.ts';

type Ws = SocketLike & { terminate(): void };
// ws ships no types here: the part a visitor uses.
const { WebSocket } = createRequire(import.meta.url)('ws') as { WebSocket: new (url: string, options: { headers: Record<string, string> }) => Ws };

/** A website visitor: the widget's own ChatClient over a real WebSocket, from the site Touchpoint serves. */
export type ChatVisitor = { readonly chat: ChatClient; readonly events: ChatEvent[]; readonly until: (what: string, test: (e: ChatEvent) => boolean) => Promise<void>; readonly leave: () => void };

export function chatVisitor(s: Running, channelId: string): ChatVisitor {
  const events: ChatEvent[] = [];
  const sockets: Ws[] = [];
  const chat = new ChatClient({
    url: s.url.replace('http', 'ws'),
    channelId,
    visitorId: `anon-${randomUUID()}`,
    retryMs: () => 100,
    connect: (url) => {
      const socket = new WebSocket(url, { headers: { origin: s.url } });
      sockets.push(socket);
      return socket;
    },
  });
  chat.on((e) => events.push(e));
  chat.start();
  const until = async (what: string, test: (e: ChatEvent) => boolean) => {
    const deadline = Date.now() + 10_000;
    while (!events.some(test)) {
      if (Date.now() > deadline) throw new Error(`the visitor never saw ${what}; saw ${JSON.stringify(events)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return {
    chat,
    events,
    until,
    leave: () => {
      chat.stop();
      for (const socket of sockets) socket.terminate();
    },
  };
}
