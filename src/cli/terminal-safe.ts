/**
 * What the CLI prints cannot act on the terminal. Names, provider errors
 * and incident titles come from outside, and a terminal obeys control
 * characters in them: ESC sequences clear the screen, retitle the window
 * or rewrite earlier lines. Every C0 control but newline and tab, DEL,
 * every C1 control and the bidirectional overrides are shown as `\u001b`
 * instead — visible in text, and the very escape JSON uses, so the same
 * function keeps `--json` output valid (JSON.stringify escapes C0 but
 * leaves C1 and the overrides raw).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
