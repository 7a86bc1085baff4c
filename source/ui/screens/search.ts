import type {SearchHit} from '../../model/search.js';
import type {ExplorerData, Overview} from '../data.js';
import {shortArn, type ScreenModel, type Target} from '../model.js';

export interface SearchQuery {
	text: string;
	kind?: 'principal' | 'device';
}

/** `user:alice`, `device:phone`, `serial:GAHT` narrow the kind; the rest is the fuzzy text. */
export function parseQuery(query: string): SearchQuery {
	const m = /^\s*(user|principal|device|serial):\s*(.*)$/i.exec(query);
	if (!m) return {text: query.trim()};
	const prefix = m[1].toLowerCase();
	return {text: m[2].trim(), kind: prefix === 'user' || prefix === 'principal' ? 'principal' : 'device'};
}

export function hitTarget(hit: SearchHit): Target | undefined {
	if (hit.kind === 'device') {
		return hit.deviceId === undefined ? undefined : {screen: 'device', deviceId: hit.deviceId};
	}
	return {screen: 'principal', arn: hit.id};
}

/**
 * The search screen. `overview` is undefined until it has been counted and `indexing` below 1
 * while the search index is built: the first frame comes before either (both follow within a
 * second on a case file of a million events).
 */
export function searchModel(data: ExplorerData, query: string, hits: SearchHit[], overview: Overview | undefined, pending = false, indexing = 1): ScreenModel {
	// Finding markers are needed only for rows, and reading the counts costs time on a big case file.
	const counts = hits.length > 0 ? data.findingCounts() : undefined;
	const principals = hits.filter(h => h.kind === 'principal').length;
	return {
		screen: 'search',
		title: query ? `Search "${query}"` : 'Search',
		header: [],
		panes: [
			{
				name: 'Results',
				columns: [
					{title: 'kind', width: 9},
					{title: 'label', width: 30, flex: true},
					{title: 'account', width: 12},
					{title: 'fact', width: 22},
				],
				rows: hits.map(hit => ({
					// The label (name) carries the match ranges; the serial or ARN follows it, unmarked.
					cells: [hit.kind, {raw: hit.label === hit.id ? hit.label : `${hit.label}  ${shortArn(hit.id)}`, matches: hit.matches}, hit.accountId, hit.fact],
					target: hitTarget(hit),
					marker: Boolean(hit.kind === 'principal' ? counts?.principals.get(hit.id) : counts?.serials.get(hit.id)),
				})),
				empty: query.trim()
					? pending
						? indexing < 1
							? `indexing… ${Math.floor(indexing * 100)}%`
							: 'searching…'
						: 'no match'
					: `${overview ? `${overview.scoped ? 'Scoped extract (mfatrail scope): absence holds only within its query. ' : ''}${overview.principals} principals, ${overview.devices} devices, ${overview.events} events, ${overview.findings} findings. ` : ''}Type a name, ARN or serial (user: device: serial: narrow it).${indexing < 1 ? ` Indexing… ${Math.floor(indexing * 100)}%` : ''}`,
				note: hits.length ? `${hits.length} result${hits.length === 1 ? '' : 's'}: ${principals} principal${principals === 1 ? '' : 's'}, ${hits.length - principals} device${hits.length - principals === 1 ? '' : 's'}` : undefined,
			},
		],
		export: {name: 'search', format: 'csv', json: hits},
	};
}
