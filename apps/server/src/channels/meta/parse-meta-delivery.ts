import type { MetaEvent } from './meta-events.ts';
import { textAt } from './payload-fields.ts';
import { parseMessaging } from './parse-messaging.ts';
import { parseWhatsApp } from './parse-whatsapp.ts';

/** The channel kinds Meta's webhooks and Graph API serve. */
export const META_KINDS = ['whatsapp', 'messenger', 'instagram'] as const;
export type MetaKind = (typeof META_KINDS)[number];

/** The `object` Meta names in a delivery for each kind. */
const OBJECT_OF: Readonly<Record<MetaKind, string>> = { whatsapp: 'whatsapp_business_account', messenger: 'page', instagram: 'instagram' };

/** The events of a verified delivery to a channel of this kind; a delivery for another product is ignored whole. */
export function parseMetaDelivery(kind: MetaKind, payload: unknown): MetaEvent[] {
  const object = textAt(payload, 'object');
  if (object !== OBJECT_OF[kind]) return [{ kind: 'ignored', reason: `object ${object ?? '(none)'} is not for this ${kind} channel` }];
  return kind === 'whatsapp' ? parseWhatsApp(payload) : parseMessaging(payload);
}
