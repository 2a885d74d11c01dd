/** Slack's Block Kit refusals live with the local workspace (src/local-slack/block-kit.ts). */
export * from '../../../src/local-slack/block-kit.ts';
