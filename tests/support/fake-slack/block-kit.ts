/** What Slack refuses in a message: the product's own check (src/replies/slack/block-kit.ts), applied by the fake to all it takes. */
export { type Refusal, refusal } from '../../../src/replies/slack/block-kit.ts';
