/**
 * The chat app inside the iframe. It accepts postMessage only from its parent window, and
 * only when the parent's origin is one of the channel's allowed origins (the server writes
 * them into <html data-origins>, and forbids any other site to embed this page with
 * `Content-Security-Policy: frame-ancestors`). It talks to Touchpoint over the visitors'
 * socket through ChatClient. Message text is only ever set as textContent.
 */
import { CHAT_LIMITS, ChatClient, originAllowed, type ChatEvent, type OutgoingAttachment, type PendingMessage, type VisitorMessage, type WelcomeFrame } from '../src/protocol.ts';

type Init = { type: 'tp:init'; anonymousId: string; identity: { userId?: string; userHash?: string; email?: string; name?: string }; open?: boolean };

const $ = <T extends Element>(selector: string) => document.querySelector(selector) as T;
const allowed = (document.documentElement.dataset.origins ?? '').split(' ').filter(Boolean);
const channel = new URLSearchParams(location.search).get('channel') ?? '';
const ui = {
  root: $<HTMLElement>('.tp'),
  title: $<HTMLElement>('.title'),
  status: $<HTMLElement>('.status'),
  notice: $<HTMLElement>('.notice'),
  log: $<HTMLOListElement>('.log'),
  typing: $<HTMLElement>('.typing'),
  email: $<HTMLFormElement>('.email'),
  composer: $<HTMLFormElement>('.composer'),
  text: $<HTMLTextAreaElement>('textarea'),
  file: $<HTMLInputElement>('input[type=file]'),
  attach: $<HTMLButtonElement>('.attach'),
};
const storageKey = `tp_pending_${channel}`;
const rows = new Map<string, HTMLLIElement>();
let client: ChatClient | null = null;
let identityKey = '';
let parentOrigin: string | null = null;
let visible = false;
let emailGiven = false;
let typingTimer: ReturnType<typeof setTimeout> | undefined;
let agentTypingTimer: ReturnType<typeof setTimeout> | undefined;

function toParent(message: Record<string, unknown>): void {
  if (parentOrigin) window.parent.postMessage(message, parentOrigin);
}

window.addEventListener('message', (event: MessageEvent) => {
  // Only the page that embeds us, and only if the channel allows that site.
  if (event.source !== window.parent || window.parent === window || !originAllowed(event.origin, allowed)) return;
  parentOrigin = event.origin;
  const data = event.data as { type?: string };
  if (data?.type === 'tp:init') start(data as Init);
  else if (data?.type === 'tp:open') setVisible(true);
  else if (data?.type === 'tp:hide') setVisible(false);
});

if (window.parent === window) notice('Open this chat from the website it belongs to.');
else {
  // Say hello to the parent without knowing it yet: only an allowed origin can receive it.
  const targets = new Set(allowed.filter((o) => !o.includes('*')));
  const referrer = document.referrer ? new URL(document.referrer).origin : null;
  if (referrer && originAllowed(referrer, allowed)) targets.add(referrer);
  for (const origin of targets) window.parent.postMessage({ type: 'tp:ready' }, origin);
}

function start(init: Init): void {
  if (typeof init.anonymousId !== 'string' || !init.anonymousId) return;
  const identity = init.identity ?? {};
  const key = JSON.stringify([init.anonymousId, identity.userId ?? '', identity.userHash ?? '', identity.email ?? '', identity.name ?? '']);
  if (init.open !== undefined) setVisible(init.open);
  if (client && key === identityKey) return;
  client?.stop();
  rows.clear();
  ui.log.replaceChildren();
  // A new identity gets a new chance: a refusal of the previous one (a bad hash) no longer holds.
  notice(null);
  setComposerEnabled(true);
  identityKey = key;
  client = new ChatClient({
    url: location.origin.replace(/^http/, 'ws'),
    channelId: channel,
    visitorId: init.anonymousId,
    userId: identity.userId ?? null,
    userHash: identity.userHash ?? null,
    email: identity.email ?? null,
    name: identity.name ?? null,
    connect: (url) => new WebSocket(url),
    pending: loadPending(),
  });
  if (identity.email) ui.email.querySelector<HTMLInputElement>('[name=email]')!.value = identity.email;
  if (identity.name) ui.email.querySelector<HTMLInputElement>('[name=name]')!.value = identity.name;
  client.on(handle);
  client.start();
  for (const p of client.pending) showPending(p);
}

function handle(event: ChatEvent): void {
  switch (event.type) {
    case 'welcome':
      return welcome(event.welcome);
    case 'connected':
      notice(null);
      ui.status.textContent = client?.welcome?.online === false ? 'We are away: leave a message' : 'Online';
      return;
    case 'disconnected':
      ui.status.textContent = 'Reconnecting…';
      return;
    case 'message':
      show(event.message);
      if (event.message.direction === 'out') {
        setAgentTyping(false, null);
        if (visible && document.visibilityState === 'visible') client?.markRead([event.message.id]);
        // History and replays bring replies already read too: the badge counts only the others.
        else toParent({ type: 'tp:unread', count: client?.unread ?? 0 });
      }
      return;
    case 'ack':
      savePending();
      return;
    case 'reset':
      rows.clear();
      ui.log.replaceChildren();
      return;
    case 'typing':
      return setAgentTyping(event.typing, event.name);
    case 'identified':
      emailGiven = true;
      ui.email.hidden = true;
      return;
    case 'refused':
      notice(event.reason || 'This chat is not available here.');
      setComposerEnabled(false);
      return;
    case 'failed':
      rows.get(`pending:${event.clientId}`)?.classList.add('failed');
      notice(event.message);
      savePending();
      return;
    case 'error':
      notice(event.message);
      return;
  }
}

function welcome(w: WelcomeFrame): void {
  ui.title.textContent = w.title;
  ui.root.classList.toggle('online', w.online);
  if (!rows.has('greeting')) {
    const li = document.createElement('li');
    li.className = 'greeting';
    li.textContent = w.online ? w.greeting : `${w.greeting}\nWe are away right now: leave a message and your email, and we will answer by email.`;
    rows.set('greeting', li);
    ui.log.prepend(li);
  }
  ui.email.hidden = emailGiven || w.emailKnown || !(w.askEmail || !w.online);
}

/** Inserts a message in id order (ids are time-ordered), once. */
function show(m: VisitorMessage): void {
  if (m.clientId) {
    rows.get(`pending:${m.clientId}`)?.remove();
    rows.delete(`pending:${m.clientId}`);
  }
  if (rows.has(m.id)) return;
  const li = document.createElement('li');
  li.className = m.direction;
  li.dataset.id = m.id;
  if (m.direction === 'out' && m.authorName) {
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = m.authorName;
    li.append(who);
  }
  li.append(document.createTextNode(m.body));
  for (const a of m.attachments) li.append(fileButton(a.id, a.fileName, a.contentType));
  rows.set(m.id, li);
  const after = [...ui.log.children].find((e) => (e as HTMLElement).dataset.id && (e as HTMLElement).dataset.id! > m.id);
  const firstPending = ui.log.querySelector('.pending');
  ui.log.insertBefore(li, after ?? firstPending ?? null);
  ui.log.scrollTop = ui.log.scrollHeight;
}

function showPending(p: PendingMessage): void {
  const li = document.createElement('li');
  li.className = 'in pending';
  li.textContent = p.body || (p.attachments[0]?.fileName ?? '');
  rows.set(`pending:${p.clientId}`, li);
  ui.log.append(li);
  ui.log.scrollTop = ui.log.scrollHeight;
}

/** Files come over the socket; only raster images are shown inline, anything else downloads. */
function fileButton(id: string, fileName: string, contentType: string): HTMLElement {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'file';
  button.textContent = `📎 ${fileName}`;
  button.addEventListener('click', async () => {
    const file = await client?.fetchFile(id).catch(() => null);
    if (!file) return notice('Could not download the file; try again.');
    const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
    const image = /^image\/(png|jpe?g|gif|webp)$/.test(contentType);
    const url = URL.createObjectURL(new Blob([bytes], { type: image ? contentType : 'application/octet-stream' }));
    if (image) {
      const img = document.createElement('img');
      img.alt = fileName;
      img.src = url;
      button.replaceWith(img);
    } else {
      const a = document.createElement('a');
      a.href = url;
      a.download = fileName;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    }
  });
  return button;
}

/** Sends what the visitor wrote, text or a file: both wait for the email the chat asks for first. */
function post(body: string, attachments: readonly OutgoingAttachment[]): void {
  if (!client) return;
  if (!ui.email.hidden) return notice('Please leave your email first.');
  const clientId = client.send(body, attachments);
  showPending({ clientId, body, attachments });
  ui.text.value = '';
  client.setTyping(false);
  savePending();
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  if (ui.text.value.trim() !== '') post(ui.text.value, []);
});

ui.text.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    ui.composer.requestSubmit();
  }
});

ui.text.addEventListener('input', () => {
  client?.setTyping(ui.text.value !== '');
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => client?.setTyping(false), 4_000);
});

// A hidden file input cannot take focus: the button opens its picker, from the keyboard too.
ui.attach.addEventListener('click', () => ui.file.click());

ui.file.addEventListener('change', () => {
  const file = ui.file.files?.[0];
  ui.file.value = '';
  if (!file || !client) return;
  if (file.size > CHAT_LIMITS.fileBytes) return notice(`Files can be at most ${CHAT_LIMITS.fileBytes / 1024 / 1024} MB.`);
  const reader = new FileReader();
  reader.onload = () => {
    const data = String(reader.result).split(',')[1] ?? '';
    post(ui.text.value, [{ fileName: file.name, contentType: file.type || 'application/octet-stream', data }]);
  };
  reader.readAsDataURL(file);
});

ui.email.addEventListener('submit', (event) => {
  event.preventDefault();
  const data = new FormData(ui.email);
  if (!client) return;
  client.identify(String(data.get('email') ?? ''), String(data.get('name') ?? '') || undefined);
  if (!client.ready) notice('You are offline: your email goes out as soon as the chat reconnects.');
});

$<HTMLButtonElement>('.close').addEventListener('click', () => toParent({ type: 'tp:close' }));
document.addEventListener('visibilitychange', () => setVisible(visible));

function setVisible(next: boolean): void {
  visible = next;
  if (!visible || document.visibilityState !== 'visible') return;
  client?.markRead();
  toParent({ type: 'tp:unread', count: 0 });
  ui.text.focus();
}

function setAgentTyping(typing: boolean, name: string | null): void {
  clearTimeout(agentTypingTimer);
  ui.typing.hidden = !typing;
  ui.typing.textContent = `${name ?? 'Someone'} is typing…`;
  // A lost "stopped typing" must not leave the indicator on.
  if (typing) agentTypingTimer = setTimeout(() => (ui.typing.hidden = true), 8_000);
}

function setComposerEnabled(enabled: boolean): void {
  ui.composer.querySelectorAll('textarea,button').forEach((e) => ((e as HTMLButtonElement).disabled = !enabled));
}

function notice(text: string | null): void {
  ui.notice.hidden = text === null;
  ui.notice.textContent = text ?? '';
}

/** Unsent text survives a page load (files do not: they could overflow storage). */
function savePending(): void {
  try {
    const text = client?.pending.filter((p) => p.attachments.length === 0) ?? [];
    if (text.length > 0) localStorage.setItem(storageKey, JSON.stringify(text));
    else localStorage.removeItem(storageKey);
  } catch {
    // storage blocked: pending messages live as long as the page
  }
}

function loadPending(): PendingMessage[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(storageKey) ?? '[]');
    return Array.isArray(value) ? (value as PendingMessage[]).filter((p) => typeof p?.clientId === 'string' && typeof p.body === 'string').map((p) => ({ clientId: p.clientId, body: p.body, attachments: [] })) : [];
  } catch {
    return [];
  }
}
