import { callerNumber } from './caller-number.ts';

/**
 * Who wrote or called, as an identity: their phone number in E.164 when it is one. A hidden
 * caller id ("anonymous", a SIP or client address) or an alphanumeric sender is no phone:
 * it becomes an external id of its own (the call's sid for a hidden caller), so strangers
 * who share "anonymous" are never fused into one profile.
 */
export function callerIdentity(from: string | undefined, oneOff: { readonly namespace: string; readonly id: string }): string {
  const phone = callerNumber(from);
  return phone ? `phone:${phone}` : `external_id:${oneOff.namespace}:${oneOff.id}`;
}
