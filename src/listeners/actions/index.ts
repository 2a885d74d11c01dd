/** Buttons: list pages, and the Confirm/Cancel/Approve/Reject of prompts. */
import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../deps.ts';
import { registerPages } from './pages.ts';
import { registerRequests } from './requests.ts';

export function register(app: App, deps: ListenerDeps): void {
  registerPages(app, deps);
  registerRequests(app, deps);
}
