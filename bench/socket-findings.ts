/** What the investigation of the Socket Mode case found: written under its table. */
export const SOCKET_MODE_FINDINGS = `TODO findings`;
