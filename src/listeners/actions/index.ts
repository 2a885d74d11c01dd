/** Buttons: list pages, the Confirm/Cancel/Approve/Reject of prompts, and outage notices' buttons. */
import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.ts';
import { registerOutageButtons } from './outages.ts';
import { registerPages } from './pages.ts';
import { registerRequests } from './requests.ts';

export function register(app: App, deps: ListenerDeps): void {
  registerPages(app, deps);
  registerRequests(app, deps);
  registerOutageButtons(app, deps);
}
