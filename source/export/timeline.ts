/**
 * A case's timeline for other tools: Timesketch (JSON Lines with its required message, datetime
 * and timestamp_desc) and Timeline Explorer (CSV). Each event carries the findings it is evidence
 * of, with their triage status. Every string from the evidence is escaped for its format: JSON
 * escapes, plus the invisible and line-separator characters some viewers act on; CSV quoting,
 * formula neutralising and control characters made visible (csvCell).
 */
import type {ExportEvent} from '../db/timeline-export.js';
import {csvCell} from '../lib/terminal-text.js';

/** The findings an event is evidence of: rule ids and triage statuses, in the findings' order. */
export interface EventFindings {
	rules: string[];
	statuses: string[];
}

export const timestampDesc = 'CloudTrail eventTime';

function message(e: ExportEvent): string {
	const what = e.eventName ?? '(no eventName)';
	const source = e.eventSource ? ` (${e.eventSource})` : '';
	const who = e.principal ?? e.identityType ?? 'an unknown principal';
	return `${what}${source} by ${who}${e.sourceIp ? ` from ${e.sourceIp}` : ''}${e.errorCode ? `: ${e.errorCode}` : ''}`;
}

/** One event as Timesketch reads it (its JSONL importer wants message, datetime, timestamp_desc). */
export function timesketchObject(e: ExportEvent, findings: EventFindings | undefined): Record<string, string | number | boolean | null> {
	return {
		message: message(e),
		// ISO 8601 with the offset spelt out, as Timesketch's import documentation writes it; timestamp in microseconds.
		datetime: e.eventTime.replace(/Z$/, '+00:00'),
		timestamp: Date.parse(e.eventTime) * 1000,
		timestamp_desc: timestampDesc,
		data_type: 'aws:cloudtrail:event',
		event_id: e.eventId,
		event_name: e.eventName,
		event_source: e.eventSource,
		principal: e.principal,
		identity_type: e.identityType,
		source_ip: e.sourceIp,
		access_key_id: e.accessKeyId,
		mfa_authenticated: e.mfaAuthenticated === null ? null : e.mfaAuthenticated === 1,
		user_agent: e.userAgent,
		error_code: e.errorCode,
		aws_region: e.awsRegion,
		account: e.account,
		finding_rule: findings ? findings.rules.join(', ') : null,
		triage_status: findings ? findings.statuses.join(', ') : null,
	};
}

/** JSON text with DEL, C1 controls, line separators and bidi/invisible marks also escaped (still valid JSON). */
export function jsonLine(value: unknown): string {
	return JSON.stringify(value).replace(/[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function timesketchLine(e: ExportEvent, findings: EventFindings | undefined): string {
	return `${jsonLine(timesketchObject(e, findings))}\n`;
}

export const csvColumns = [
	'datetime', 'timestamp_desc', 'message', 'event_id', 'event_name', 'event_source', 'principal', 'identity_type', 'source_ip',
	'access_key_id', 'mfa_authenticated', 'user_agent', 'error_code', 'aws_region', 'account', 'finding_rule', 'triage_status',
] as const;

export const csvHeader = `${csvColumns.join(',')}\r\n`;

/** One CSV row (RFC 4180 line ends), each cell terminal-safe and formula-neutralised. */
export function csvLine(e: ExportEvent, findings: EventFindings | undefined): string {
	const o = timesketchObject(e, findings);
	return `${csvColumns.map(c => csvCell(o[c])).join(',')}\r\n`;
}
