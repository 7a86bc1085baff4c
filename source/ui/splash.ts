/**
 * What the explorer shows while Ink and React load (about half a second, several times Node's own
 * start-up): the alternate screen and a plain first frame with the case's counts, written without
 * Ink. Raw mode is set at once, so keys typed meanwhile are neither echoed nor lost: they wait in
 * the terminal's buffer until Ink reads them.
 */
import type {CaseFile} from '../db/open.js';
import {eventTotal} from '../db/pivot-values.js';
import {terminalSafe} from '../lib/terminal-text.js';

export const enterAlternateScreen = '\x1b[?1049h\x1b[H';
export const leaveAlternateScreen = '\x1b[?1049l';

/** True when the explorer can run: raw-mode keyboard input and a terminal to draw on. */
export function interactive(): boolean {
	return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/** Enters the alternate screen and draws the waiting frame (counts read from small tables only). */
export function showSplash(db: CaseFile, file: string): void {
	if (typeof process.stdin.setRawMode === 'function') process.stdin.setRawMode(true);
	const count = (table: string) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
	const n = (v: number) => v.toLocaleString('en');
	const width = Math.max(20, (process.stdout.columns ?? 80) - 1);
	const lines = [
		'Overview',
		'',
		`case file ${terminalSafe(file)}`,
		`${n(eventTotal(db))} events · ${n(count('principal'))} principals · ${n(count('device'))} devices · ${n(count('finding'))} findings`,
		'',
		'opening the explorer… (keys typed now are kept)',
	].map(line => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
	process.stdout.write(`${enterAlternateScreen}\x1b[2J${lines.join('\r\n')}`);
}
