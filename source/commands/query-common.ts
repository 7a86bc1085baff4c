/** Shared plumbing of the query commands (search, user, device, logins, timeline, event). */
import {caseFilePath, openCaseFile, type CaseFile} from '../db/open.js';
import {findDevices, findPrincipals, type DeviceRow, type PrincipalRow} from '../db/queries.js';
import {parseTimeArgument} from '../lib/time.js';
import {displayWidth, safe, truncate} from '../lib/terminal-text.js';

/** Queries never write: the case file is opened read-only. */
export function openForQuery(flags: Record<string, unknown>): CaseFile {
	return openCaseFile(caseFilePath(flags.db as string), {readonly: true});
}

/** --since/--until: --until with a bare date (2024-03-01) includes that whole day. */
export function timeFlag(value: unknown, options: {endOfDay?: boolean} = {}): string | undefined {
	return typeof value === 'string' && value !== '' ? parseTimeArgument(value, Date.now(), options) : undefined;
}

export function out(text: string): void {
	process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function printJson(value: unknown): void {
	process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Aligned columns. Every cell goes through safe(); a cell wider than its column's cap is shortened
 * with '…' to keep the row within 80 columns, and its whole value is then written on a line of its
 * own under the row ("wrap, don't cut": an ARN, serial, account, key, IP or eventID is never shown
 * only in part).
 */
export function table(headers: string[], rows: unknown[][], caps: number[] = []): string {
	const whole = rows.map(r => r.map(c => safe(c)));
	const cells = whole.map(r => r.map((c, i) => truncate(c, caps[i] ?? 40)));
	const widths = headers.map((h, i) => Math.max(h.length, ...cells.map(r => displayWidth(r[i] ?? ''))));
	const line = (r: string[]) =>
		r
			.map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i] - displayWidth(c))))
			.join('  ')
			.trimEnd();
	const out = [line(headers)];
	cells.forEach((r, i) => {
		out.push(line(r));
		const cut = whole[i].filter((c, j) => c !== r[j]);
		if (cut.length > 0) out.push(...wrapText(cut.join('  '), 80, '    '));
	});
	return out.join('\n');
}

/**
 * Words of safe text wrapped to `width` terminal columns, each line indented. A word wider than a
 * line (an ARN in a summary) is never cut: it gets a line of its own, indented less when that
 * keeps it within 80 columns, so it can be copied whole.
 */
export function wrapText(text: string, width: number, indent: string): string[] {
	const lines: string[] = [];
	let current = '';
	for (const word of text.split(/ +/).filter(Boolean)) {
		const candidate = current ? `${current} ${word}` : word;
		if (displayWidth(indent + candidate) <= width) {
			current = candidate;
			continue;
		}
		if (current) lines.push(indent + current);
		current = '';
		if (displayWidth(indent + word) <= width) current = word;
		else lines.push(' '.repeat(Math.max(0, Math.min(indent.length, 80 - displayWidth(word)))) + word);
	}
	if (current) lines.push(indent + current);
	return lines;
}

export type Resolved<T> = {ok: true; value: T} | {ok: false; status: number};

/** NAME or ARN → one principal; unknown: message, 1; ambiguous: candidates, 2. */
export function resolvePrincipal(db: CaseFile, text: string, command: string): Resolved<PrincipalRow> {
	const found = findPrincipals(db, text);
	if (found.length === 1) return {ok: true, value: found[0]};
	if (found.length === 0) {
		process.stderr.write(`mfatrail ${command}: no principal ${safe(JSON.stringify(text))} in the case file\n`);
		return {ok: false, status: 1};
	}
	process.stderr.write(`mfatrail ${command}: ${found.length} principals are named ${safe(JSON.stringify(text))}; give the ARN:\n`);
	// Full ARNs, one a line, never cut: they are what the user is asked to copy.
	process.stderr.write(`${found.map(p => `  ${safe(p.arn)}\n    ${safe(p.type)}, account ${safe(p.accountId ?? '?')}`).join('\n')}\n`);
	return {ok: false, status: 2};
}

/**
 * SERIAL or NAME (optionally SERIAL#N for one incarnation) → one device incarnation. Several
 * incarnations of one serial resolve to the latest (its view lists the others).
 */
export function resolveDevice(db: CaseFile, text: string, command: string): Resolved<DeviceRow> {
	const pick = /^(.*)#(\d+)$/.exec(text);
	let found = findDevices(db, text);
	if (found.length === 0 && pick) found = findDevices(db, pick[1]).filter(d => d.incarnation === Number(pick[2]));
	if (found.length === 0) {
		process.stderr.write(`mfatrail ${command}: no MFA device ${safe(JSON.stringify(text))} in the case file\n`);
		return {ok: false, status: 1};
	}
	const serials = new Set(found.map(d => d.serialNumber));
	if (serials.size === 1) return {ok: true, value: found[found.length - 1]};
	process.stderr.write(`mfatrail ${command}: ${serials.size} devices match ${safe(JSON.stringify(text))}; give the serial:\n`);
	// Full serials and owner ARNs, never cut: the serial is what the user is asked to copy. A serial
	// reused after deletion lists each incarnation (SERIAL#N picks one).
	const candidates = [...serials].map(serial => {
		const incarnations = found.filter(d => d.serialNumber === serial);
		const several = incarnations.length > 1;
		return [`  ${safe(serial)}`, ...incarnations.map(d => `    ${several ? `#${d.incarnation} ` : ''}${safe(d.state)}, owner ${d.ownerArn ? safe(d.ownerArn) : 'unknown'}`)].join('\n');
	});
	process.stderr.write(`${candidates.join('\n')}\n`);
	return {ok: false, status: 2};
}

export function yesNo(value: boolean | null | undefined): string {
	return value === null || value === undefined ? '' : value ? 'yes' : 'no';
}
