/**
 * The host-page loader: `<script src="https://touchpoint.example.com/widget.js" data-channel="<id>" async>`.
 * It adds a launcher button and an iframe with the chat app, so the page's CSS and scripts
 * cannot clash with the widget, and talks to the frame only by postMessage, checking that
 * every message comes from the Touchpoint origin and from that iframe.
 *
 * It hands the frame the visitor's anonymous id — analytics.js' `ajs_anonymous_id` when the
 * page uses it, so chat and web touchpoints join one profile; otherwise an id of its own,
 * kept in localStorage — and the identity the page set, `window.Touchpoint = { userId,
 * userHash, email, name }` (userHash: hex HMAC-SHA256 of userId with the channel's identity
 * secret, computed by the site's server).
 */
import { VISITOR_ID } from '../src/protocol.ts';

type Identity = { userId?: string; userHash?: string; email?: string; name?: string };
type FrameMessage = { type: 'tp:ready' } | { type: 'tp:unread'; count: number } | { type: 'tp:close' };

const KEY = 'tp_anonymous_id';

(() => {
  const w = window as unknown as { Touchpoint?: Identity; TouchpointChat?: unknown };
  if (w.TouchpointChat) return; // the snippet is on the page twice
  const script = (document.currentScript ?? document.querySelector('script[data-channel][src*="widget.js"]')) as HTMLScriptElement | null;
  if (!script) return;
  const src = new URL(script.src, location.href);
  const origin = src.origin;
  const channel = script.dataset.channel ?? src.searchParams.get('channel');
  if (!channel) return console.warn('Touchpoint widget: add data-channel="<channel id>" to the script tag');

  const host = document.createElement('div');
  host.setAttribute('data-touchpoint', '');
  // A shadow root keeps the page's CSS away from the launcher; the chat itself is in the iframe.
  const root = host.attachShadow({ mode: 'closed' });
  root.innerHTML =
    '<style>:host{all:initial}button{position:fixed;right:20px;bottom:20px;width:56px;height:56px;border:0;border-radius:50%;background:#2d5bff;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483646;font:600 22px system-ui,sans-serif}' +
    'b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;border-radius:10px;background:#e5484d;font:600 12px/20px system-ui,sans-serif;display:none}' +
    'iframe{position:fixed;right:20px;bottom:88px;width:370px;height:560px;max-width:calc(100vw - 40px);max-height:calc(100vh - 108px);border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);z-index:2147483647;display:none;background:#fff}' +
    '@media(max-width:480px){iframe{right:0;bottom:0;width:100vw;height:100vh;max-width:none;max-height:none;border-radius:0}}</style>' +
    '<button type="button" aria-label="Chat with us" aria-expanded="false">💬<b></b></button>';
  const button = root.querySelector('button')!;
  const badge = root.querySelector('b')!;
  const frame = document.createElement('iframe');
  frame.title = 'Chat';
  frame.src = `${origin}/widget/frame.html?channel=${encodeURIComponent(channel)}`;
  frame.setAttribute('allow', 'clipboard-write');
  root.appendChild(frame);
  let open = false;

  const post = (message: Record<string, unknown>) => frame.contentWindow?.postMessage(message, origin);
  const init = () =>
    post({
      type: 'tp:init',
      anonymousId: anonymousId(),
      identity: pick(w.Touchpoint),
      page: { url: location.href, title: document.title },
      open,
    });
  const show = (next: boolean) => {
    open = next;
    frame.style.display = open ? 'block' : 'none';
    button.setAttribute('aria-expanded', String(open));
    post({ type: open ? 'tp:open' : 'tp:hide' });
  };
  button.addEventListener('click', () => show(!open));
  // The frame also asks (tp:ready) once it runs; a page whose referrer policy hides its origin
  // from the frame may only be reachable this way.
  frame.addEventListener('load', init);

  window.addEventListener('message', (event: MessageEvent) => {
    // Only our frame, from the Touchpoint origin: any other window may post anything.
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    const data = event.data as FrameMessage;
    if (data?.type === 'tp:ready') init();
    else if (data?.type === 'tp:unread') {
      badge.textContent = String(data.count);
      badge.style.display = data.count > 0 ? 'block' : 'none';
    } else if (data?.type === 'tp:close') show(false);
  });

  w.TouchpointChat = {
    open: () => show(true),
    close: () => show(false),
    /** The page learned who the visitor is (signed in): the frame reconnects as them. */
    identify: (identity: Identity) => {
      w.Touchpoint = identity;
      init();
    },
  };
  (document.body ?? document.documentElement).appendChild(host);
})();

function pick(identity: Identity | undefined): Identity {
  if (!identity || typeof identity !== 'object') return {};
  const out: Identity = {};
  for (const key of ['userId', 'userHash', 'email', 'name'] as const) {
    const value = identity[key];
    if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
  }
  return out;
}

/**
 * analytics.js' anonymous id (localStorage, JSON-encoded; or its cookie), else our own, kept.
 * One the socket could not take (a page may set anything) leaves the chat on our own id rather
 * than refused.
 */
function anonymousId(): string {
  const fromAjs = read(() => localStorage.getItem('ajs_anonymous_id')) ?? read(() => /(?:^|;\s*)ajs_anonymous_id=([^;]+)/.exec(document.cookie)?.[1] ?? null);
  if (fromAjs) {
    const value = unquote(fromAjs);
    if (VISITOR_ID.test(value)) return value;
  }
  const mine = read(() => localStorage.getItem(KEY));
  if (mine) return mine;
  const made = crypto.randomUUID ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
  read(() => (localStorage.setItem(KEY, made), null));
  return made;
}

function unquote(raw: string): string {
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // not URI-encoded
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'string') return parsed;
  } catch {
    // a bare id
  }
  return text;
}

/** Storage can throw (blocked cookies, private modes): treat that as empty. */
function read(get: () => string | null): string | null {
  try {
    return get();
  } catch {
    return null;
  }
}
