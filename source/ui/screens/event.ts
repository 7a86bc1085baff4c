import {prettyJson} from '../../lib/pretty-record.js';
import {safeTextToken, takeColumns, terminalSafe} from '../../lib/terminal-text.js';
import type {EventRecord} from '../../db/queries.js';
import {time, type ScreenModel} from '../model.js';

/**
 * The record as `mfatrail event` prints it (source/lib/pretty-record.ts): re-indented, strings
 * copied as they are in the file (so `"\u001b"` shows as written, not as `\\u001b`); hidden
 * characters inside strings come out as their JSON escapes. Already terminal-safe. A record that
 * is not JSON comes back as is, for the caller to escape.
 */
export function prettyRecord(record: string): {lines: string[]; safe: boolean} {
	const pretty = prettyJson(record);
	return pretty === undefined ? {lines: record.split(/\r?\n/), safe: false} : {lines: pretty.split('\n'), safe: true};
}

/**
 * Wraps safe lines at width terminal columns, never splitting an escape such as `\\x1b`, and
 * between words where it can: after a space, '/', ',' or ':' in the last two thirds of the line
 * (`cloudtrail-log` stays whole); a word longer than that is split where the line ends.
 */
function wrapSafe(lines: string[], width: number): string[] {
	const out: string[] = [];
	for (const line of lines) {
		let rest = line;
		if (rest === '') out.push('');
		while (rest !== '') {
			let {kept} = takeColumns(rest, Math.max(1, width));
			if (kept === '') kept = rest.match(safeTextToken)![0]; // a token wider than the line: alone
			else if (kept.length < rest.length && !/^[ /,:]/.test(rest.slice(kept.length))) {
				const at = Math.max(kept.lastIndexOf(' '), kept.lastIndexOf('/'), kept.lastIndexOf(','), kept.lastIndexOf(':'));
				// Never inside an escape: the break comes right after one of these plain characters.
				if (at >= Math.floor(kept.length / 3)) kept = kept.slice(0, at + 1);
			}
			out.push(kept);
			rest = rest.slice(kept.length);
		}
	}
	return out;
}

/** Escapes each line, then wraps it at width. */
function wrap(lines: string[], width: number): string[] {
	return wrapSafe(lines.map(terminalSafe), width);
}

/** Who made a call, with which key, from where: the record's own fields (evidence, escaped when shown). */
export function eventIdentity(record: string): {eventName?: string; eventTime?: string; actor?: string; key?: string; ip?: string} {
	try {
		const r = JSON.parse(record) as Record<string, unknown>;
		const identity = (r.userIdentity ?? {}) as Record<string, unknown>;
		const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
		return {eventName: text(r.eventName), eventTime: text(r.eventTime), actor: text(identity.arn), key: text(identity.accessKeyId), ip: text(r.sourceIPAddress)};
	} catch {
		return {};
	}
}

export function eventModel(record: EventRecord, version: number, width: number): ScreenModel {
	const v = record.versions[Math.min(version, record.versions.length - 1)];
	const flags = [v.conflict ? 'CONFLICT: other content under this eventID' : '', v.partial ? 'partial (export with some fields)' : '', v.derived ? 'eventID derived from content' : ''].filter(Boolean).join('; ');
	const provenance = v.provenance.flatMap((p, i) => [
		`source ${i + 1}: ${p.path}${p.member ? ` :: ${p.member}` : ''} (${p.format}, record ${p.position})`,
		`  sha256 ${p.sha256}${p.contentSha256 && p.contentSha256 !== p.sha256 ? `  content ${p.contentSha256}` : ''}`,
	]);
	// Lines are escaped by wrap(); the frame shows text panes as they are.
	const pretty = prettyRecord(v.record);
	const who = eventIdentity(v.record);
	const lines = [...wrap([...provenance, ...(flags ? [`note: ${flags}`] : []), ''], width), ...(pretty.safe ? wrapSafe(pretty.lines, width) : wrap(pretty.lines, width))];
	return {
		screen: 'event',
		title: `Event ${record.eventId}`,
		header: [
			[
				['eventID', record.eventId],
				['version', `${Math.min(version, record.versions.length - 1) + 1} of ${record.versions.length}`],
			],
			[
				['call', who.eventName ?? '?'],
				['time', time(v.eventTime)],
			],
			[
				['actor', who.actor ?? '-'],
				['key', who.key ?? '-'],
				['IP', who.ip ?? '-'],
			],
		],
		panes: [{name: 'Record', columns: [{title: '', width: width, flex: true}], rows: lines.map(line => ({cells: [line]})), empty: 'no record', text: true}],
		export: {name: 'event', format: 'json', json: record},
		pivots: {principal: who.actor, key: who.key, ip: who.ip},
		copy: record.eventId,
	};
}
