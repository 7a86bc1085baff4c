import type {Key} from 'ink';

/**
 * The one table of keys: App dispatches from it, the `?` overlay lists it for the current screen,
 * and the key table of docs/explorer.md is generated from it (test/ui/keymap.test.ts checks it matches).
 */

export type ScreenName = 'search' | 'principal' | 'device' | 'event' | 'timeline' | 'findings' | 'finding' | 'overview' | 'key' | 'ip' | 'user-agent' | 'devices';

export const screenNames: ScreenName[] = ['search', 'principal', 'device', 'event', 'timeline', 'findings', 'finding', 'overview', 'key', 'ip', 'user-agent', 'devices'];

export type Action =
	| 'up'
	| 'down'
	| 'pageUp'
	| 'pageDown'
	| 'top'
	| 'bottom'
	| 'open'
	| 'back'
	| 'search'
	| 'pane'
	| 'timeline'
	| 'failed'
	| 'range'
	| 'owner'
	| 'findings'
	| 'overview'
	| 'copy'
	| 'zone'
	| 'moment'
	| 'key'
	| 'ip'
	| 'export'
	| 'triage'
	| 'help'
	| 'quit'
	| 'interrupt';

export interface Binding {
	action: Action;
	/** How the keys are written in help and docs/explorer.md. */
	keys: string;
	description: string;
	/** Screens where the key does something; 'all' for everywhere. */
	screens: ScreenName[] | 'all';
	/**
	 * Also active while typing on the search line. Printable keys are text there, so only keys
	 * that cannot be typed (arrows, Enter, Esc, Tab, Ctrl-C) work in both.
	 */
	whileTyping?: boolean;
	match(input: string, key: Key): boolean;
}

const lists: ScreenName[] = ['search', 'principal', 'device', 'event', 'timeline', 'findings', 'finding', 'overview', 'key', 'ip', 'user-agent', 'devices'];
/** Screens whose rows (or whose subject) name a principal, an access key or a source IP. */
const pivoting: ScreenName[] = ['principal', 'device', 'event', 'timeline', 'finding', 'key', 'ip', 'user-agent'];

export const keymap: Binding[] = [
	{action: 'up', keys: '↑ k', description: 'move up (search line: ↑ only, k is text)', screens: lists, whileTyping: true, match: (i, k) => k.upArrow || (i === 'k' && !k.ctrl && !k.meta)},
	{action: 'down', keys: '↓ j', description: 'move down (search line: ↓ only, j is text)', screens: lists, whileTyping: true, match: (i, k) => k.downArrow || (i === 'j' && !k.ctrl && !k.meta)},
	{action: 'pageUp', keys: 'PgUp', description: 'page up', screens: lists, whileTyping: true, match: (_i, k) => k.pageUp},
	{action: 'pageDown', keys: 'PgDn', description: 'page down', screens: lists, whileTyping: true, match: (_i, k) => k.pageDown},
	{action: 'top', keys: 'g Home', description: 'first row', screens: lists, match: (i, k) => k.home || (i === 'g' && !k.ctrl && !k.meta)},
	{action: 'bottom', keys: 'G End', description: 'last row', screens: lists, match: (i, k) => k.end || (i === 'G' && !k.ctrl && !k.meta)},
	{action: 'open', keys: 'Enter', description: 'open the selected row (drill in)', screens: ['search', 'principal', 'device', 'timeline', 'findings', 'finding', 'overview', 'key', 'ip', 'user-agent', 'devices'], whileTyping: true, match: (_i, k) => k.return},
	{action: 'back', keys: 'Esc Backspace', description: 'go back (search line: Backspace deletes, Esc clears)', screens: 'all', whileTyping: true, match: (_i, k) => k.escape || k.backspace || k.delete},
	{action: 'search', keys: '/', description: 'search principals, devices, serials, access keys, IPs, user agents, eventIDs (recalls the last search)', screens: 'all', match: i => i === '/'},
	{action: 'pane', keys: 'Tab', description: 'next pane (search: between query line and results)', screens: ['search', 'principal', 'device', 'event', 'key', 'ip', 'user-agent'], whileTyping: true, match: (_i, k) => k.tab && !k.shift},
	{action: 'timeline', keys: 't', description: 'timeline of this principal or device (search: of the selected row)', screens: ['search', 'principal', 'device', 'finding'], match: i => i === 't'},
	{action: 'failed', keys: 'f', description: 'failed sign-ins only (toggle)', screens: ['timeline'], match: i => i === 'f'},
	{action: 'range', keys: 'r', description: 'time range: SINCE [UNTIL], e.g. 2024-03-01 2024-03-08 or 7d', screens: ['timeline'], match: i => i === 'r'},
	{action: 'owner', keys: 'p', description: "open the principal: the device's owner, the row's or event's actor, the key's owner", screens: pivoting, match: i => i === 'p'},
	{action: 'findings', keys: 'F', description: 'findings (all of them)', screens: 'all', match: i => i === 'F'},
	{action: 'overview', keys: 'o', description: 'overview: evidence, findings, principals, devices, sign-in activity', screens: 'all', match: i => i === 'o'},
	{action: 'key', keys: 'K', description: 'open the access key that made the selected row (or this event)', screens: pivoting, match: i => i === 'K'},
	{action: 'ip', keys: 'I', description: 'open the source IP of the selected row (or this event)', screens: pivoting, match: i => i === 'I'},
	{action: 'moment', keys: '@', description: "devices at a moment: which MFA devices, in which state (default: the selected row's time)", screens: ['principal'], match: i => i === '@'},
	{action: 'copy', keys: 'y', description: 'copy the selected identifier to the clipboard (OSC 52, escaped)', screens: 'all', match: i => i === 'y'},
	{action: 'zone', keys: 'u', description: 'times in UTC or local time (toggle; the zone shows top right)', screens: 'all', match: i => i === 'u'},
	{action: 'export', keys: 'e', description: 'export this view to a file (CSV for lists, JSON otherwise)', screens: 'all', match: i => i === 'e'},
	{action: 'triage', keys: 'm', description: 'mark (triage) this finding, principal, device or event: confirmed, benign or needs-review, with a note', screens: ['findings', 'finding', 'principal', 'device', 'event'], match: i => i === 'm'},
	{action: 'help', keys: '?', description: 'this help', screens: 'all', match: i => i === '?'},
	{action: 'quit', keys: 'q', description: 'quit', screens: 'all', match: (i, k) => i === 'q' && !k.ctrl && !k.meta},
	{action: 'interrupt', keys: 'Ctrl-C', description: 'quit, always (also while typing)', screens: 'all', whileTyping: true, match: (i, k) => k.ctrl && i === 'c'},
];

/** The binding a key press means on a screen, or undefined (then, while typing, it is text). */
export function bindingFor(screen: ScreenName, input: string, key: Key, typing: boolean): Binding | undefined {
	// On the search line a printable key is text, as in fzf: j and k type (jack, kevin), arrows move.
	if (typing && !key.ctrl && !key.meta && input !== '' && !/[\u0000-\u001f\u007f-\u009f]/.test(input)) return undefined;
	return keymap.find(b => (b.screens === 'all' || b.screens.includes(screen)) && (!typing || b.whileTyping) && b.match(input, key));
}

/** The bindings shown in the help overlay of a screen. */
export function bindingsFor(screen: ScreenName): Binding[] {
	return keymap.filter(b => b.screens === 'all' || b.screens.includes(screen));
}

/** The key table of docs/explorer.md (Markdown), generated from the keymap. */
export function keyTableMarkdown(): string {
	const lines = ['| key | does | screens |', '|---|---|---|'];
	for (const b of keymap) {
		const keys = b.keys
			.split(' ')
			.map(k => `\`${k}\``)
			.join(' ');
		lines.push(`| ${keys} | ${b.description.replace(/\|/g, '\\|')} | ${b.screens === 'all' ? 'all' : b.screens.join(', ')} |`);
	}
	return lines.join('\n');
}
