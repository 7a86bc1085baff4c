/**
 * Colour is a nicety, never the only signal: with NO_COLOR (mapped to FORCE_COLOR=0 in source/terminal-env.ts) or a
 * terminal without colour, chalk drops inverse and bold too, so the selection is always marked with a
 * glyph and failures with a word. Read once per render so tests can switch it.
 */
export function colourEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
	if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
	if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') return false;
	return env.TERM !== 'dumb';
}

export const glyph = {
	selected: '›',
	unselected: ' ',
	finding: '!',
	/** Evidence on the row holds hidden characters (shown escaped, e.g. \\x1b or \\u202e). */
	hidden: '⚠',
	separator: ' › ',
	ellipsis: '…',
};
