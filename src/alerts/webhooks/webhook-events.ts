import { RULE_EVENTS } from '../rules/rule-catalog';

/** Events an outside system may subscribe to: the rules' events plus order and plan milestones. */
export const WEBHOOK_EVENTS: readonly string[] = [
  ...Object.keys(RULE_EVENTS),
  'production.workorder.released',
  'production.workorder.completed',
  'planning.schedule.published',
].sort();

/** The outbox destination of subscribers' deliveries (signed by the subscription's secret when sent). */
export const WEBHOOK_SUBSCRIPTION_DESTINATION = 'webhook_subscription';
