import { describe, expect, it } from 'vitest';
import { parseMetaDelivery } from './parse-meta-delivery.ts';

// Shapes as Meta documents them (WhatsApp "messages" webhook reference; Messenger webhook events).
const whatsapp = (value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' }, ...value } }] }],
});
const contact = { profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' };

describe('parseMetaDelivery: WhatsApp', () => {
  it('reads a text message with the sender name from contacts', () => {
    const events = parseMetaDelivery('whatsapp', whatsapp({ contacts: [contact], messages: [{ from: '16505551234', id: 'wamid.A', timestamp: '1749416383', type: 'text', text: { body: 'Does it come in another color?' } }] }));
    expect(events).toEqual([
      { kind: 'message', account: '106540352242922', from: '16505551234', name: 'Sheena Nelson', externalId: 'wamid.A', text: 'Does it come in another color?', media: [], reaction: null, meta: { type: 'text', sentAt: 1749416383000 } },
    ]);
  });

  it('reads media by id with caption or file name, and several messages in one delivery', () => {
    const events = parseMetaDelivery(
      'whatsapp',
      whatsapp({
        contacts: [contact],
        messages: [
          { from: '16505551234', id: 'wamid.I', timestamp: '1', type: 'image', image: { caption: 'the scratch', mime_type: 'image/jpeg', sha256: 'abc', id: '1003383421387256' } },
          { from: '16505551234', id: 'wamid.D', timestamp: '2', type: 'document', document: { filename: 'invoice.pdf', mime_type: 'application/pdf', sha256: 'def', id: '2' } },
          { from: '16505551234', id: 'wamid.V', timestamp: '3', type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'x', id: '3', voice: true } },
        ],
      }),
    );
    expect(events.map((e) => (e.kind === 'message' ? [e.text, e.media[0]] : e))).toEqual([
      ['the scratch', { type: 'image', mediaId: '1003383421387256', url: null, mimeType: 'image/jpeg', fileName: null, sha256: 'abc' }],
      ['(document: invoice.pdf)', { type: 'document', mediaId: '2', url: null, mimeType: 'application/pdf', fileName: 'invoice.pdf', sha256: 'def' }],
      ['(audio)', { type: 'audio', mediaId: '3', url: null, mimeType: 'audio/ogg; codecs=opus', fileName: null, sha256: 'x' }],
    ]);
  });

  it('reads a reaction, and ignores its removal', () => {
    const [added, removed] = parseMetaDelivery(
      'whatsapp',
      whatsapp({
        messages: [
          { from: '16505551234', id: 'wamid.R1', timestamp: '5', type: 'reaction', reaction: { message_id: 'wamid.OURS', emoji: '👍' } },
          { from: '16505551234', id: 'wamid.R2', timestamp: '6', type: 'reaction', reaction: { message_id: 'wamid.OURS' } },
        ],
      }),
    );
    expect(added).toMatchObject({ kind: 'message', externalId: 'wamid.R1', reaction: { emoji: '👍', to: 'wamid.OURS' } });
    expect(removed).toEqual({ kind: 'ignored', reason: 'a reaction was removed' });
  });

  it('turns buttons, locations and unsupported types into readable text', () => {
    const texts = parseMetaDelivery(
      'whatsapp',
      whatsapp({
        messages: [
          { from: '1', id: 'w1', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes, please' } } },
          { from: '1', id: 'w2', type: 'button', button: { text: 'Track my order', payload: 'track' } },
          { from: '1', id: 'w3', type: 'location', location: { latitude: 51.5, longitude: -0.12, name: 'Shop', address: '1 High St' } },
          { from: '1', id: 'w4', type: 'unsupported', errors: [{ code: 131051, title: 'Message type unknown' }] },
        ],
      }),
    ).map((e) => (e.kind === 'message' ? e.text : e.kind));
    expect(texts).toEqual(['Yes, please', 'Track my order', '(location: Shop, 1 High St 51.5, -0.12)', '(unsupported WhatsApp message: Message type unknown)']);
  });

  it('reads statuses, with the errors of a failed one', () => {
    const events = parseMetaDelivery(
      'whatsapp',
      whatsapp({
        statuses: [
          { id: 'wamid.OUT1', status: 'delivered', timestamp: '1', recipient_id: '16505551234' },
          { id: 'wamid.OUT2', status: 'failed', timestamp: '2', recipient_id: '16505551234', errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed' } }] },
          { id: 'wamid.OUT3', status: 'deleted', timestamp: '3' },
        ],
      }),
    );
    expect(events).toEqual([
      { kind: 'status', account: '106540352242922', externalId: 'wamid.OUT1', state: 'delivered', error: null },
      { kind: 'status', account: '106540352242922', externalId: 'wamid.OUT2', state: 'failed', error: '131047 Re-engagement message: Message failed to send because more than 24 hours have passed' },
      { kind: 'ignored', reason: 'status deleted is not tracked' },
    ]);
  });

  it('ignores other fields, other products and junk without throwing', () => {
    expect(parseMetaDelivery('whatsapp', { object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'account_update', value: {} }] }] })).toEqual([{ kind: 'ignored', reason: 'field account_update is not about messages' }]);
    expect(parseMetaDelivery('whatsapp', { object: 'page', entry: [] })).toEqual([{ kind: 'ignored', reason: 'object page is not for this whatsapp channel' }]);
    for (const junk of [null, 42, 'x', [], { object: 'whatsapp_business_account', entry: 'no' }, { object: 'whatsapp_business_account', entry: [{ changes: [{ value: { messages: [null, { id: 1 }] } }] }] }]) {
      expect(() => parseMetaDelivery('whatsapp', junk)).not.toThrow();
    }
  });
});

describe('parseMetaDelivery: Messenger and Instagram', () => {
  const page = (...messaging: unknown[]) => ({ object: 'page', entry: [{ id: 'PAGE1', time: 1, messaging }] });
  const who = { sender: { id: 'PSID1' }, recipient: { id: 'PAGE1' }, timestamp: 1458692752478 };

  it('reads text and attachments; files to fetch only for file types', () => {
    const [text, files] = parseMetaDelivery(
      'messenger',
      page({ ...who, message: { mid: 'm_1', text: 'hello, world!' } }, { ...who, message: { mid: 'm_2', attachments: [{ type: 'image', payload: { url: 'https://cdn.example/a.jpg' } }, { type: 'fallback', payload: { url: 'https://shop.example' } }] } }),
    );
    expect(text).toEqual({ kind: 'message', account: 'PAGE1', from: 'PSID1', name: null, externalId: 'm_1', text: 'hello, world!', media: [], reaction: null, meta: { type: 'text', sentAt: 1458692752478 } });
    expect(files).toMatchObject({ externalId: 'm_2', text: '(image) (fallback)', media: [{ type: 'image', url: 'https://cdn.example/a.jpg' }] });
    expect(files).toMatchObject({ meta: { attachments: [{ type: 'image' }, { type: 'fallback', url: 'https://shop.example' }] } });
  });

  it('skips echoes and standby; reads reactions with an id of their own', () => {
    const events = parseMetaDelivery(
      'messenger',
      page(
        { sender: { id: 'PAGE1' }, recipient: { id: 'PSID1' }, timestamp: 2, message: { mid: 'm_echo', is_echo: true, text: 'our reply' } },
        { ...who, reaction: { reaction: 'love', emoji: '❤️', action: 'react', mid: 'm_ours' } },
        { ...who, reaction: { action: 'unreact', mid: 'm_ours' } },
      ),
    );
    expect(events).toEqual([
      { kind: 'ignored', reason: 'an echo of a message the page sent' },
      expect.objectContaining({ kind: 'message', externalId: 'reaction:m_ours:PSID1:1458692752478', reaction: { emoji: '❤️', to: 'm_ours' } }),
      { kind: 'ignored', reason: 'a reaction was removed' },
    ]);
  });

  it('reads delivery receipts by mids or watermark, and reads', () => {
    const events = parseMetaDelivery('messenger', page({ ...who, delivery: { mids: ['m_a', 'm_b'], watermark: 10 } }, { ...who, delivery: { watermark: 20 } }, { ...who, read: { watermark: 30 } }));
    expect(events).toEqual([
      { kind: 'status', account: 'PAGE1', externalId: 'm_a', state: 'delivered', error: null },
      { kind: 'status', account: 'PAGE1', externalId: 'm_b', state: 'delivered', error: null },
      { kind: 'watermark', account: 'PAGE1', customer: 'PSID1', state: 'delivered', watermark: 20 },
      { kind: 'watermark', account: 'PAGE1', customer: 'PSID1', state: 'read', watermark: 30 },
    ]);
  });

  it('reads Instagram messages and seen receipts by mid', () => {
    const ig = { object: 'instagram', entry: [{ id: 'IG1', time: 1, messaging: [{ sender: { id: 'IGSID1' }, recipient: { id: 'IG1' }, timestamp: 5, message: { mid: 'aWdf1', text: 'Is this in stock?' } }, { sender: { id: 'IGSID1' }, recipient: { id: 'IG1' }, timestamp: 6, read: { mid: 'aWdf_ours' } }] }] };
    expect(parseMetaDelivery('instagram', ig)).toEqual([
      expect.objectContaining({ kind: 'message', account: 'IG1', from: 'IGSID1', externalId: 'aWdf1', text: 'Is this in stock?' }),
      { kind: 'status', account: 'IG1', externalId: 'aWdf_ours', state: 'read', error: null },
    ]);
    for (const junk of [{ object: 'instagram', entry: [{ messaging: [null, 1, 'x', { sender: 'me' }, { sender: { id: 'A' }, message: null }] }] }, { object: 'instagram', entry: [null] }]) {
      expect(() => parseMetaDelivery('instagram', junk)).not.toThrow();
    }
    expect(parseMetaDelivery('instagram', page())).toEqual([{ kind: 'ignored', reason: 'object page is not for this instagram channel' }]);
  });
});
