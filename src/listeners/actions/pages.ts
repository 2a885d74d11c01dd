/**
 * Buttons: Prev/Next pages of a list, re-run so any replica can serve them.
 * The listing in the channel changes page only for whoever asked for it;
 * anyone else is shown the page as they may see it, to them alone.
 */
import type { App, BlockButtonAction } from '@slack/bolt';
import { SLASH_COMMANDS } from '../../entry-points.ts';
import { parse } from '../../grammar/parse.ts';
import { decodePageRequest, LIST_PAGE_ACTIONS, renderListing } from '../../replies/slack/listing.ts';
import { renderError } from '../../replies/slack/problem.ts';
import { filterListing } from '../../safety/reads.ts';
import type { ListenerDeps } from '../deps.ts';

export function registerPages(app: App, deps: ListenerDeps): void {
  for (const actionId of Object.values(LIST_PAGE_ACTIONS)) {
    app.action<BlockButtonAction>(actionId, async ({ ack, action, respond, body }) => {
      await ack();
      const request = decodePageRequest(action.value ?? '');
      const parsed = request ? parse(request.command) : undefined;
      if (!request || !parsed?.ok || parsed.command.verb !== 'list') {
        deps.log.warn({ actionId, user: body.user.id }, 'a page button carried something that is not a list');
        return;
      }
      const fixed = SLASH_COMMANDS.find((spec) => spec.command === request.entry)?.fixed;
      void deps.work.run(async () => {
        try {
          const outcome = await deps.dispatcher.run(parsed.command, {
            ...(fixed ? { fixed } : {}),
            signal: deps.work.signal,
          });
          if (outcome.kind === 'listing') {
            // The clicker may not be who asked: the page shows what the clicker may list.
            const clicker = body.user.id;
            const subject = { user: clicker, channel: body.channel?.id ?? body.container?.channel_id ?? '' };
            const visible = await filterListing(deps.gatekeeper.policy, subject, outcome);
            const page = deps.redactor.deep(
              renderListing(visible, {
                page: request.page,
                pageSize: deps.settings.pageSize,
                // Their own copy's buttons turn its pages in place.
                request: { ...request, requester: clicker },
              }),
            );
            await respond(
              request.requester === clicker
                ? { replace_original: true, ...page }
                : { response_type: 'ephemeral', replace_original: false, ...page },
            );
          } else if (outcome.kind === 'error') {
            // The list cannot be shown now (provider gone from the config, say): tell the clicker only.
            await respond({
              response_type: 'ephemeral',
              replace_original: false,
              ...deps.redactor.deep(renderError(outcome, deps.log)),
            });
          }
        } catch (error) {
          deps.log.error({ err: error }, 'could not show a page');
        }
      });
    });
  }
}
