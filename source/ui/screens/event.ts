import {terminalSafe} from '../../lib/terminal-text.js';
import type {EventRecord} from '../../db/queries.js';
import type {ScreenModel} from '../model.js';

/** The record pretty-printed (it is stored verbatim; a record that is not JSON shows as is). */
export function prettyRecord(record: string): string[] {
	try {
		return JSON.stringify(JSON.parse(record), null, 2).split('\n');
	} catch {
		return record.split(/\r?\n/);
	}
}

/** Escapes each line, then wraps it at width so nothing is cut off. */
function wrap(lines: string[], width: number): string[] {
	const out: string[] = [];
	for (const line of lines) {
		const chars = Array.from(terminalSafe(line));
		if (chars.length === 0) out.push('');
		for (let i = 0; i < chars.length; i += Math.max(1, width)) out.push(chars.slice(i, i + Math.max(1, width)).join(''));
	}
	return out;
}

export function eventModel(record: EventRecord, version: number, width: number): ScreenModel {
	const v = record.versions[Math.min(version, record.versions.length - 1)];
	const flags = [v.conflict ? 'CONFLICT: other content under this eventID' : '', v.partial ? 'partial (export with some fields)' : '', v.derived ? 'eventID derived from content' : ''].filter(Boolean).join('; ');
	const provenance = v.provenance.flatMap((p, i) => [
		`source ${i + 1}: ${p.path}${p.member ? ` :: ${p.member}` : ''} (${p.format}, record ${p.position})`,
		`  sha256 ${p.sha256}${p.contentSha256 && p.contentSha256 !== p.sha256 ? `  content ${p.contentSha256}` : ''}`,
	]);
	// Lines are escaped by wrap(); the frame shows text panes as they are.
	const lines = wrap([...provenance, ...(flags ? [`note: ${flags}`] : []), '', ...prettyRecord(v.record)], width);
	return {
		screen: 'event',
		title: `Event ${record.eventId}`,
		header: [[['eventID', record.eventId], ['version', `${Math.min(version, record.versions.length - 1) + 1} of ${record.versions.length}`]]],
		panes: [{name: 'Record', columns: [{title: '', width: width, flex: true}], rows: lines.map(line => ({cells: [line]})), empty: 'no record', text: true}],
		export: {name: 'event', format: 'json', json: record},
	};
}
