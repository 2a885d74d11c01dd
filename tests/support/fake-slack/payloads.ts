/** Payload shapes live with the local workspace (src/local-slack/payloads.ts). */
export * from '../../../src/local-slack/payloads.ts';
