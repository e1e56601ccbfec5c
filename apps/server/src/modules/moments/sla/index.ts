export { addBusinessMinutes, businessMsBetween, validateBusinessHours, WEEKDAYS, type BusinessHours, type Weekday } from './business-time.ts';
export type { BusinessHoursRecord } from './business-hours-record.ts';
export { selectPolicy, type PolicyScope, type SlaSubject } from './select-policy.ts';
export { BREACH_ACTIONS, PRIORITIES, type BreachAction, type Priority, type SlaPolicy } from './sla-policy.ts';
export {
  dueAt,
  dueDeadline,
  markWarned,
  NO_SLA,
  onAgentReply,
  onCustomerMessage,
  pause,
  recordBreach,
  restart,
  resume,
  slaColumns,
  startClock,
  stop,
  unmet,
  type Deadline,
  type SlaClock,
  type SlaTerms,
} from './sla-clock.ts';
export { loadSla, loadSlaPolicy, type LoadedSla } from './load-sla.ts';
export { switchPolicy, type ClockStarts, type Timing } from './switch-policy.ts';
export { repickPolicy, type PolicyChange } from './repick-policy.ts';
export {
  createBusinessHours,
  createSlaPolicy,
  deleteBusinessHours,
  deleteSlaPolicy,
  getBusinessHours,
  getSlaPolicy,
  listBusinessHours,
  listSlaPolicies,
  updateBusinessHours,
  updateSlaPolicy,
  type BusinessHoursInput,
  type SlaPolicyInput,
} from './sla-settings.ts';
export { sweepSla, type SweepSlaOptions } from './sweep-sla.ts';
