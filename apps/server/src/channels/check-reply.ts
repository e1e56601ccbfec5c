import { loadChannel } from '../modules/channels/index.ts';
import type { SecretBox } from '../platform/secret-box.ts';
import type { MomentsCtx } from '../modules/moments/index.ts';
import type { Adapters } from './channel-adapter.ts';

/** Asks the moment's channel whether a reply may go out now (inside the reply's transaction). */
export function channelReplyCheck(adapters: Adapters, secretBox: SecretBox): NonNullable<MomentsCtx['checkReply']> {
  return async (tx, moment, draft) => {
    if (moment.channel_id === null) return;
    const channel = await loadChannel({ db: tx, secretBox }, moment.workspace_id, moment.channel_id);
    const adapter = channel ? adapters[channel.kind] : undefined;
    if (channel && adapter?.checkReply) await adapter.checkReply(tx, channel, moment, draft);
  };
}
