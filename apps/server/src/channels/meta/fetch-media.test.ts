import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChannelRecord } from '../../modules/channels/index.ts';
import type { MetaMedia } from './meta-events.ts';
import { fetchMedia } from './fetch-media.ts';
import { guardedFetch } from '../../platform/guarded-fetch.ts';
import { privateHostsAllowed } from '../../platform/private-hosts.ts';

/** The stand-in providers listen on this machine, which channels may call only where allowed. */
const provider = guardedFetch(privateHostsAllowed('127.0.0.1'));

let server: http.Server;
let base: string;

beforeAll(async () => {
  // /slow/… never answers (a CDN that hangs); anything else is a small PNG.
  server = http.createServer((req, res) => {
    if (req.url?.startsWith('/slow/')) return;
    res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from('png'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const channel: ChannelRecord = { workspaceId: 'w', id: 'c', kind: 'messenger', name: 'Messenger', businessUnitId: null, address: 'page', settings: {}, secrets: {}, costPerContact: 0, currency: 'USD', enabled: true };
const image = (path: string): MetaMedia => ({ type: 'image', mediaId: null, url: `${base}${path}`, mimeType: null, fileName: null, sha256: null });

describe('fetchMedia', () => {
  it('gives each file its own time and the delivery’s files a shared one; what did not come is described with why', async () => {
    const started = Date.now();
    const fetched = await fetchMedia(provider, channel, [image('/slow/a.png'), image('/fast/b.png'), image('/slow/c.png'), image('/slow/d.png')], { until: started + 400, perFileMs: 250 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(390);
    expect(took).toBeLessThan(1_500);
    expect(fetched.attachments.map((a) => a.fileName)).toEqual(['b.png']);
    expect(fetched.described).toEqual([
      expect.objectContaining({ url: `${base}/slow/a.png`, stored: false, error: 'not stored: the file did not answer within 0.3 s' }),
      expect.objectContaining({ url: `${base}/fast/b.png`, stored: true }),
      expect.objectContaining({ url: `${base}/slow/c.png`, stored: false, error: expect.stringMatching(/^not stored: the file did not answer within 0\.[12] s$/) }),
      expect.objectContaining({ url: `${base}/slow/d.png`, stored: false, error: expect.stringContaining('took all the time a delivery has for its files') }),
    ]);
  });
});
