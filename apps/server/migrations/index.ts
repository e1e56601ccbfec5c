import type { Migration } from 'kysely';
import * as foundation from './2026-11-26T0000-foundation.ts';
import * as moments from './2026-11-26T0100-moments.ts';
import * as channels from './2026-11-26T0200-channels.ts';
import * as stageHistory from './2026-11-26T0300-stage-history.ts';
import * as ownerLoad from './2026-11-26T0400-owner-load.ts';
import * as agentLoad from './2026-11-26T0500-agent-load.ts';
import * as unicodeLower from './2026-11-26T0600-unicode-lower.ts';
import * as lookupIndexes from './2026-11-26T0700-lookup-indexes.ts';
import * as customerText from './2026-11-26T0800-customer-text.ts';
import * as customerByStage from './2026-11-26T0900-customer-by-stage.ts';
import * as inboxText from './2026-11-26T1000-inbox-text.ts';
import * as profileWrites from './2026-11-26T1100-profile-writes.ts';
import * as workspaceProfileWrites from './2026-11-27T0000-workspace-profile-writes.ts';
import * as momentTags from './2026-11-27T0100-moment-tags.ts';
import * as revenueByCurrency from './2026-11-28T0000-revenue-by-currency.ts';
import * as retiredSlaPolicies from './2026-11-28T0100-retired-sla-policies.ts';
import * as retiredBusinessHours from './2026-11-28T0200-retired-business-hours.ts';
import * as unicodeLowerFinalSigma from './2026-11-28T0300-unicode-lower-final-sigma.ts';
import * as idsPerChannel from './2026-11-28T0400-ids-per-channel.ts';
import * as unsentAhead from './2026-11-28T0500-unsent-ahead.ts';

/** Every migration in order. Forward-only: never edit one that has landed; add a new one. */
export const migrations: Readonly<Record<string, Migration>> = {
  '2026-11-26T0000-foundation': foundation,
  '2026-11-26T0100-moments': moments,
  '2026-11-26T0200-channels': channels,
  '2026-11-26T0300-stage-history': stageHistory,
  '2026-11-26T0400-owner-load': ownerLoad,
  '2026-11-26T0500-agent-load': agentLoad,
  '2026-11-26T0600-unicode-lower': unicodeLower,
  '2026-11-26T0700-lookup-indexes': lookupIndexes,
  '2026-11-26T0800-customer-text': customerText,
  '2026-11-26T0900-customer-by-stage': customerByStage,
  '2026-11-26T1000-inbox-text': inboxText,
  '2026-11-26T1100-profile-writes': profileWrites,
  '2026-11-27T0000-workspace-profile-writes': workspaceProfileWrites,
  '2026-11-27T0100-moment-tags': momentTags,
  '2026-11-28T0000-revenue-by-currency': revenueByCurrency,
  '2026-11-28T0100-retired-sla-policies': retiredSlaPolicies,
  '2026-11-28T0200-retired-business-hours': retiredBusinessHours,
  '2026-11-28T0300-unicode-lower-final-sigma': unicodeLowerFinalSigma,
  '2026-11-28T0400-ids-per-channel': idsPerChannel,
  '2026-11-28T0500-unsent-ahead': unsentAhead,
};
