/** The fake Slack (Web API, response_urls and Socket Mode on loopback); the code lives in ./fake-slack/. */
export * from './fake-slack/index.ts';
