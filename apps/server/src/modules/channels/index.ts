export { CHANNEL_KINDS, CHANNEL_REQUIREMENTS, isChannelKind, type ChannelKind } from './channel-kinds.ts';
export { type ChannelRecord, type ChannelView } from './channel-record.ts';
export { listChannels, getChannel, findChannelById, findChannelsByAddress, loadChannel } from './channels.queries.ts';
export { createChannel, updateChannel, type ChannelInput } from './save-channel.ts';
export { createChannelCache, type ChannelCache } from './channel-cache.ts';
export { recordHealth, type HealthState } from './record-health.ts';
export { sealStoredSecrets } from './channel-secrets.ts';
export { SITE_ORIGIN, siteOf } from './check-setting-values.ts';
