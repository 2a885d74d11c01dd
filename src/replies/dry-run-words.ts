/** What a dry run says, in Slack and in the terminal alike. */
import type { OperationPlan } from '../dispatch/outcome.ts';
import { currentState, question } from './slack/confirmation.ts';

/** "Dry run — test mode is on. Would now: Reboot web-1 on do (web-1 is running…). Nothing was sent to do." */
export function dryRunSentence(plan: OperationPlan): { readonly text: string; readonly hint: string } {
  return {
    text: `Dry run — test mode is on. Would now: ${question(plan).replace(/\?$/, '')} (${currentState(plan)}). Nothing was sent to ${plan.provider.id}.`,
    hint: '`testmode off` ends test mode; then ask again to run it.',
  };
}
