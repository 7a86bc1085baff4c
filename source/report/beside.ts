/**
 * What a report written to a file (--out) puts beside it, and how it bounds itself then. A case of
 * a million events raises tens of thousands of findings: one block each made a 90 MB page. The
 * report groups its findings by rule and then by principal and shows a bounded number of each in
 * full; every finding with every evidence row is in FILE.findings.csv, and the evidence sources
 * with their SHA-256 in FILE.sources.csv (13 MB of hashes at 40,000 sources). The report names
 * both with their SHA-256. Written to standard output, with nothing beside it, it holds everything.
 */
import crypto from 'node:crypto';
import {csvCell} from '../lib/terminal-text.js';
import type {ReportFinding, ReportModel} from './model.js';

/** Evidence rows shown under a finding: a password spray names hundreds of events. */
export const evidenceShown = 10;
/** Findings of one rule and principal shown in full (the rest share their pattern: the CSV has them). */
export const findingsShownPerPrincipal = 3;
/** Principals shown under one rule (16 rules × 20 × 3 findings bound the page to a few MB). */
export const principalsShownPerRule = 20;

/** A file written beside the report, as the report names it. */
export interface BesideFile {
	name: string;
	sha256: string;
}

export interface Beside {
	findings: BesideFile;
	sources: BesideFile;
}

export interface PrincipalGroup {
	principal: string | null;
	findings: ReportFinding[];
}

export interface RuleGroup {
	rule: string;
	findings: number;
	principals: PrincipalGroup[];
}

/** Findings by rule (in the order their first, most severe finding comes) and then by principal. */
export function groupFindings(findings: ReportFinding[]): RuleGroup[] {
	const rules = new Map<string, Map<string | null, ReportFinding[]>>();
	for (const f of findings) {
		let byPrincipal = rules.get(f.rule);
		if (!byPrincipal) rules.set(f.rule, (byPrincipal = new Map()));
		const list = byPrincipal.get(f.principal);
		if (list) list.push(f);
		else byPrincipal.set(f.principal, [f]);
	}
	return [...rules].map(([rule, byPrincipal]) => ({
		rule,
		findings: [...byPrincipal.values()].reduce((n, l) => n + l.length, 0),
		principals: [...byPrincipal].map(([principal, list]) => ({principal, findings: list})),
	}));
}

/** Every finding with each of its evidence rows (one line per evidence event; a finding without any, one line). */
export function findingsCsv(m: ReportModel): string {
	const lines = [['finding', 'rule', 'severity', 'status', 'principal', 'serialNumber', 'firstSeen', 'lastSeen', 'summary', 'note', 'evidence', 'eventID', 'eventTime', 'eventName', 'actor', 'sourceIPAddress', 'result'].join(',')];
	for (const f of m.findings) {
		const head = [f.id, f.rule, f.severity, f.status, f.principal, f.serialNumber, f.firstSeen, f.lastSeen, f.summary, f.note, f.evidence.length];
		const rows = f.evidence.length > 0 ? f.evidence.map(e => [e.eventId, e.eventTime, e.eventName, e.actor, e.sourceIp, e.present ? e.result : 'not in this case file']) : [[]];
		for (const row of rows) lines.push([...head, ...row].map(csvCell).join(','));
	}
	return `${lines.join('\r\n')}\r\n`;
}

/** Every evidence source with its SHA-256, in the report's order. */
export function sourcesCsv(m: ReportModel): string {
	const lines = ['#,source,member,format,records,sha256', ...m.sources.map((f, i) => [i + 1, f.path, f.member, f.format, f.records, f.sha256].map(csvCell).join(','))];
	return `${lines.join('\r\n')}\r\n`;
}

export function sha256(text: string): string {
	return crypto.createHash('sha256').update(text).digest('hex');
}
