import {ranked, type SearchHit} from '../../model/search.js';
import type {ExplorerData, Overview, PivotHit} from '../data.js';
import {hiddenIn, shortArn, type Cell, type Row, type ScreenModel, type Target} from '../model.js';

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
 * A hit's label as shown: the ARN's resource ('user/alice', 'mfa/alice-phone') when it ends with
 * the name the match ranges point into (the ranges shifted), else the name and the resource.
 */
export function hitLabel(hit: SearchHit): {raw: string; matches: Array<[number, number]>} {
	const short = shortArn(hit.id);
	if (hit.label === hit.id) return {raw: hit.label, matches: hit.matches};
	if (short.endsWith(hit.label)) {
		const shift = short.length - hit.label.length;
		return {raw: short, matches: hit.matches.map(([a, b]) => [a + shift, b + shift] as [number, number])};
	}
	return {raw: `${hit.label}  ${short}`, matches: hit.matches};
}

/**
 * The kind column's words: 8 characters at most, what other columns narrow to at 80 columns
 * before identifiers give way (`principal` showed as `princip…`). The detail line names the kind in full.
 */
const nameKind: Record<SearchHit['kind'], string> = {principal: 'identity', device: 'device'};
const pivotKind: Record<PivotHit['kind'], string> = {key: 'key', ip: 'IP', 'user-agent': 'agent', event: 'event'};

export function pivotTarget(hit: PivotHit): Target {
	switch (hit.kind) {
		case 'key':
			return {screen: 'key', accessKeyId: hit.id};
		case 'ip':
			return {screen: 'ip', ip: hit.id};
		case 'user-agent':
			return {screen: 'user-agent', userAgent: hit.id};
		case 'event':
			return {screen: 'event', eventId: hit.id};
	}
}

function pivotRow(hit: PivotHit): Row {
	const seen = hit.count !== null ? `${hit.count} event${hit.count === 1 ? '' : 's'}` : '';
	return {
		cells: [pivotKind[hit.kind], hit.kind === 'user-agent' ? '' : hit.id, '', hit.kind === 'user-agent' ? hit.id : seen] as Cell[],
		target: pivotTarget(hit),
		hidden: hiddenIn(hit.id),
		detail: [[pivotKind[hit.kind], hit.id], ...(hit.principal ? [['principal', hit.principal] as [string, unknown]] : [])],
		copy: hit.id,
		pivots: {principal: hit.principal},
	};
}

function hitRow(hit: SearchHit, counts: ReturnType<ExplorerData['findingCounts']> | undefined): Row {
	return {
		cells: [nameKind[hit.kind], hitLabel(hit), hit.accountId, hit.fact],
		target: hitTarget(hit),
		marker: Boolean(hit.kind === 'principal' ? counts?.principals.get(hit.id) : counts?.serials.get(hit.id)),
		detail: [[hit.kind, hit.id] as [string, unknown]],
		copy: hit.id,
		hidden: hiddenIn(hit.id, hit.label),
	};
}

/**
 * The search screen. `overview` is undefined until it has been counted and `indexing` below 1
 * while the search index is built: the first frame comes before either (both follow within a
 * second on a case file of a million events).
 */
export function searchModel(data: ExplorerData, query: string, hits: SearchHit[], overview: Overview | undefined, pending = false, indexing = 1, pivots: PivotHit[] = [], hitsFor = query): ScreenModel {
	// Results of an earlier query stay on screen while this one runs, unless the query was cleared.
	if (pending && !query.trim()) [hits, pivots] = [[], []];
	// Finding markers are needed only for rows, and reading the counts costs time on a big case file.
	const counts =
		hits.length > 0
			? data.findingCounts({principals: hits.filter(h => h.kind === 'principal').map(h => h.id), serials: hits.filter(h => h.kind === 'device').map(h => h.id)})
			: undefined;
	const principals = hits.filter(h => h.kind === 'principal').length;
	return {
		screen: 'search',
		title: query ? `Search "${query}"` : 'Search',
		header: [],
		panes: [
			{
				name: 'Results',
				columns: [
					{title: 'kind', width: 9, fit: true},
					{title: 'label', width: 10, fit: true, id: true},
					{title: 'account', width: 12, fit: true, id: true},
					{title: 'fact', width: 22, flex: true, drop: 1},
				],
				rows: ranked(hitsFor, hits, pivots).map(r => (r.pivot ? pivotRow(r.pivot) : hitRow(r.hit!, counts))),
				empty: query.trim()
					? pending
						? indexing < 1
							? `indexing… ${Math.floor(indexing * 100)}%`
							: 'searching…'
						: 'no match'
					: `${overview ? `${overview.scoped ? 'Scoped extract (mfatrail scope): absence holds only within its query. ' : ''}${overview.principals} principals, ${overview.devices} devices, ${overview.events} events, ${overview.findings} findings. ` : ''}Type a name, ARN, serial, access key, IP, user agent or eventID (user: device: serial: narrow it).${indexing < 1 ? ` Indexing… ${Math.floor(indexing * 100)}%` : ''}`,
				note:
					pending && query.trim() && hits.length + pivots.length
						? `results still coming for "${query.trim()}"… (showing "${hitsFor.trim()}")`
						: hits.length + pivots.length
						? `${hits.length + pivots.length} result${hits.length + pivots.length === 1 ? '' : 's'}: ${principals} principal${principals === 1 ? '' : 's'}, ${hits.length - principals} device${hits.length - principals === 1 ? '' : 's'}${pivots.length ? `, ${pivots.length} key/IP/agent/event` : ''}`
						: undefined,
			},
		],
		export: {name: 'search', format: 'csv', json: {hits, pivots}},
	};
}
