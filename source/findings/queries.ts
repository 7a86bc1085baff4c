/** Reading stored findings: for the findings command and the explorer (no SQL in UI components). */
import type {CaseFile} from '../db/open.js';
import {defaultStatus, type TriageStatus} from '../db/triage.js';
import {severityRank} from './registry.js';
import {unpackEventIds, type StoredEventIds} from './stored-ids.js';
import {severities, type Finding, type Severity} from './types.js';

export interface StoredFinding extends Finding {
	id: number;
	key: string;
	/** Triage (db/triage.ts): the current status and latest note; needs-review and '' when never triaged. */
	status: TriageStatus;
	note: string;
}

/** A row of the finding table (db/002_model.sql, event_count from db/020, event_ids as db/026 stores them). */
export interface FindingRow {
	id: number;
	rule: string;
	severity: Severity;
	principal_arn: string | null;
	serial_number: string | null;
	first_seen: string;
	last_seen: string;
	event_ids: StoredEventIds;
	event_count: number | null;
	summary: string;
	key: string;
}

interface Row extends FindingRow {
	status: TriageStatus;
	note: string;
}

const columns = `f.id, f.rule, f.severity, f.principal_arn, f.serial_number, f.first_seen, f.last_seen, f.event_ids, f.event_count, f.summary, f.key,
	coalesce(t.status, '${defaultStatus}') AS status, coalesce(t.note, '') AS note`;

/** Findings with their triage state (the journal keys a finding by its stable key). */
const from = `finding f LEFT JOIN triage_current t ON t.kind = 'finding' AND t.target = f.key`;

/** Most severe first, then oldest first. */
const order = `ORDER BY CASE f.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, f.first_seen, f.rule, f.id`;

function toFinding(row: Row): StoredFinding {
	const eventIds = unpackEventIds(row.event_ids);
	return {
		id: row.id,
		rule: row.rule,
		severity: row.severity,
		principal: row.principal_arn,
		serialNumber: row.serial_number,
		firstSeen: row.first_seen,
		lastSeen: row.last_seen,
		eventIds,
		eventCount: row.event_count ?? eventIds.length,
		summary: row.summary,
		key: row.key,
		status: row.status,
		note: row.note,
	};
}

/** What `--json` prints: the finding (eventIds, at most 200, beside eventCount, how many in all), with its id (what `mfatrail triage` takes), key and triage state. */
export function publicFinding(f: StoredFinding): Finding & {status: TriageStatus; note: string; id: number; key: string} {
	return {
		rule: f.rule,
		severity: f.severity,
		principal: f.principal,
		serialNumber: f.serialNumber,
		firstSeen: f.firstSeen,
		lastSeen: f.lastSeen,
		eventIds: f.eventIds,
		eventCount: f.eventCount,
		summary: f.summary,
		status: f.status,
		note: f.note,
		id: f.id,
		key: f.key,
	};
}

export interface FindingFilter {
	rule?: string;
	/** Findings whose evidence reaches this time or later. */
	since?: string;
	/** Findings whose evidence starts at this time or earlier. */
	until?: string;
	/** At least this severe: 'medium' lists high and medium. */
	severity?: Severity;
	/** Only findings whose triage status is one of these. */
	status?: TriageStatus[];
	/** Only findings about this principal (ARN). */
	principal?: string;
	/** Only this severity (severity above means at least). */
	onlySeverity?: Severity;
	/** The first this many, in the list's order (a page: the order is the finding_rank index's). */
	limit?: number;
}

export function listFindings(db: CaseFile, filter: FindingFilter = {}): StoredFinding[] {
	const where: string[] = [];
	const params: Record<string, string> = {};
	if (filter.rule) {
		where.push('f.rule = @rule');
		params.rule = filter.rule;
	}
	if (filter.since) {
		where.push('f.last_seen >= @since');
		params.since = filter.since;
	}
	if (filter.until) {
		where.push('f.first_seen <= @until');
		params.until = filter.until;
	}
	if (filter.severity) {
		const allowed = severities.filter(s => severityRank[s] <= severityRank[filter.severity!]);
		where.push(`f.severity IN (${allowed.map(s => `'${s}'`).join(', ')})`);
	}
	if (filter.status) {
		where.push(`coalesce(t.status, '${defaultStatus}') IN (SELECT value FROM json_each(@status))`);
		params.status = JSON.stringify(filter.status);
	}
	if (filter.principal) {
		where.push('f.principal_arn = @principal');
		params.principal = filter.principal;
	}
	if (filter.onlySeverity) {
		where.push('f.severity = @onlySeverity');
		params.onlySeverity = filter.onlySeverity;
	}
	const limit = filter.limit !== undefined ? `LIMIT ${Math.max(0, Math.floor(filter.limit))}` : '';
	const sql = `SELECT ${columns} FROM ${from} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${order} ${limit}`;
	return (db.prepare(sql).all(params) as Row[]).map(toFinding);
}

/** Findings about a principal and/or a device (serial number), for the explorer's detail views. */
export function findingsFor(db: CaseFile, {principalArn, serialNumber}: {principalArn?: string; serialNumber?: string}): StoredFinding[] {
	if (!principalArn && !serialNumber) return [];
	const where: string[] = [];
	if (principalArn) where.push('f.principal_arn = @principalArn');
	if (serialNumber) where.push('f.serial_number = @serialNumber');
	const sql = `SELECT ${columns} FROM ${from} WHERE ${where.join(' OR ')} ${order}`;
	return (db.prepare(sql).all({principalArn, serialNumber}) as Row[]).map(toFinding);
}

/** One finding by its id, with its triage state. */
export function findingById(db: CaseFile, id: number): StoredFinding | undefined {
	const row = db.prepare(`SELECT ${columns} FROM ${from} WHERE f.id = ?`).get(id) as Row | undefined;
	return row && toFinding(row);
}

export interface FindingCounts {
	total: number;
	bySeverity: Record<Severity, number>;
	byRule: Record<string, number>;
	/** Finding counts per principal ARN and per serial number: the explorer marks these. */
	byPrincipal: Record<string, number>;
	bySerial: Record<string, number>;
}

export function findingCounts(db: CaseFile): FindingCounts {
	const counts: FindingCounts = {total: 0, bySeverity: {high: 0, medium: 0, low: 0, info: 0}, byRule: {}, byPrincipal: {}, bySerial: {}};
	const rows = db.prepare('SELECT rule, severity, principal_arn AS principal, serial_number AS serial FROM finding').all() as {
		rule: string;
		severity: Severity;
		principal: string | null;
		serial: string | null;
	}[];
	for (const r of rows) {
		counts.total++;
		counts.bySeverity[r.severity] = (counts.bySeverity[r.severity] ?? 0) + 1;
		counts.byRule[r.rule] = (counts.byRule[r.rule] ?? 0) + 1;
		if (r.principal) counts.byPrincipal[r.principal] = (counts.byPrincipal[r.principal] ?? 0) + 1;
		if (r.serial) counts.bySerial[r.serial] = (counts.bySerial[r.serial] ?? 0) + 1;
	}
	return counts;
}

/**
 * Findings per principal and per serial, for the given ones only (row markers on a screen): each
 * is a seek on finding's principal or serial index, never a read of every finding.
 */
export function findingCountsFor(db: CaseFile, subjects: {principals?: string[]; serials?: string[]}): {principals: Map<string, number>; serials: Map<string, number>} {
	const read = (column: 'principal_arn' | 'serial_number', values: string[] = []) =>
		new Map(
			values.length === 0
				? []
				: (db.prepare(`SELECT ${column}, count(*) FROM finding WHERE ${column} IN (SELECT value FROM json_each(?)) GROUP BY ${column}`).raw().all(JSON.stringify([...new Set(values)])) as [string, number][]),
		);
	return {principals: read('principal_arn', subjects.principals), serials: read('serial_number', subjects.serials)};
}

/** The most severe findings first (then oldest): the overview's top lines, without reading them all. */
export function topFindings(db: CaseFile, limit = 10): StoredFinding[] {
	return (db.prepare(`SELECT ${columns} FROM ${from} ${order} LIMIT ?`).all(Math.max(0, Math.floor(limit))) as Row[]).map(toFinding);
}

export interface PrincipalWithFindings {
	arn: string;
	name: string | null;
	type: string | null;
	accountId: string | null;
	findingCount: number;
	topSeverity: Severity;
}

/** Principals named by findings, the most severe finding first, then the most findings. */
export function principalsWithFindings(db: CaseFile, limit = 20): PrincipalWithFindings[] {
	const rows = db
		.prepare(`SELECT f.principal_arn AS arn, p.name, p.type, p.account_id AS accountId, f.n AS findingCount, f.rank
			FROM (SELECT principal_arn, count(*) AS n,
					min(CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END) AS rank
				FROM finding WHERE principal_arn IS NOT NULL GROUP BY principal_arn ORDER BY rank, n DESC, principal_arn LIMIT ?) f
			LEFT JOIN principal p ON p.arn = f.principal_arn
			ORDER BY f.rank, f.n DESC, f.principal_arn`)
		.all(Math.max(0, Math.floor(limit))) as (Omit<PrincipalWithFindings, 'topSeverity'> & {rank: number})[];
	return rows.map(({rank, ...r}) => ({...r, topSeverity: severities[rank] ?? 'info'}));
}

/** Finding counts by severity (every severity present, zero when none). */
export function findingsBySeverity(db: CaseFile): {total: number; bySeverity: Record<Severity, number>} {
	const bySeverity: Record<Severity, number> = {high: 0, medium: 0, low: 0, info: 0};
	let total = 0;
	for (const r of db.prepare(`SELECT severity, count(*) AS n FROM finding GROUP BY severity`).all() as {severity: Severity; n: number}[]) {
		bySeverity[r.severity] = r.n;
		total += r.n;
	}
	return {total, bySeverity};
}
