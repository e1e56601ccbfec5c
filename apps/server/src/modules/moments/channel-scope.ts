import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Tables } from '../../platform/db/tables.ts';

/**
 * Where a provider's message or conversation id is unique: one configured channel (two
 * WhatsApp numbers, two API channels each have their message "1"), or, for moments opened
 * through the API without a channel, the channel kind.
 */
export type ChannelScope = { readonly channel: string; readonly channelId: string | null };

/** The moment's own scope: its replies go out, and its API-recorded messages come in, there. */
export const scopeOf = (moment: { readonly channel: string; readonly channel_id: string | null }): ChannelScope => ({ channel: moment.channel, channelId: moment.channel_id });

/**
 * Rows of a scope, written exactly as the unique indexes `message_external` and
 * `moment_external` are (`coalesce(channel_id, '')`): an engine seeks an expression index
 * only for the same expression.
 */
export function inScope<T extends 'message' | 'moment'>(table: T, scope: ChannelScope): (eb: ExpressionBuilder<Tables, T>) => Expression<SqlBool> {
  return (eb) => eb.and([eb(sql.ref(`${table}.channel`), '=', scope.channel), eb(sql`coalesce(${sql.ref(`${table}.channel_id`)}, '')`, '=', scope.channelId ?? '')]);
}

/** A configured channel's scope (a channel adapter's messages and status reports). */
export const scopeOfChannel = (channel: { readonly kind: string; readonly id: string }): ChannelScope => ({ channel: channel.kind, channelId: channel.id });
