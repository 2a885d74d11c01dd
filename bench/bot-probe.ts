/**
 * Loaded into the bot by the bridge bench (`--import`): watches the bot's
 * event loop (loop-watch.ts) and sends the report over the fork's IPC
 * channel when the bench asks. Nothing of it is in the product.
 */
import { watchLoop } from './loop-watch.ts';

const watch = watchLoop();
process.on('message', (message) => {
  // Once reported, the watch stops: its timer would otherwise count in the bot's CPU per message.
  if (message === 'loop-report') {
    process.send?.({ loopReport: watch.report() });
    watch.stop();
  }
});
// The IPC channel must not keep the bot alive at SIGTERM.
process.channel?.unref();
