/**
 * The report's content as plain data, gathered from the case file through the query modules (no
 * SQL here); html.ts and markdown.ts render it. Everything is ordered explicitly, so the same case
 * file and options give the same model, and so byte-identical output.
 */
import type {CaseFile} from '../db/open.js';
import {caseInventory, type CaseInventory, type SourceHash} from '../db/inventory.js';
import {evidenceRows, missingEvidence, principalActivity, type ActivityDevice, type ActivitySignIn, type EvidenceRow, type PrincipalActivity} from '../db/report.js';
import {caseScope, type CaseScope} from '../db/scope.js';
import {orphanedTriage, triageJournal, type TriageEntry, type TriageState, type TriageStatus, type TriageTarget} from '../db/triage.js';
import {listFindings, type StoredFinding} from '../findings/queries.js';
import {sigmaRulesWithFindings, type SigmaRuleRecord} from '../findings/sigma.js';
import {severities, type Severity} from '../findings/types.js';

export interface ReportOptions {
	/** Only findings with these triage statuses. */
	status?: TriageStatus[];
	/** Only findings about these principals (ARNs). */
	principals?: string[];
	/** The time the report states; default the case's last import. */
	generatedAt?: string;
}

export interface CaseFileFacts {
	/** The case file's name as given. */
	name: string;
	sha256: string;
	/** Bytes in the write-ahead log not yet in the main file (the hash covers the main file only). */
	walBytes: number;
	toolVersion: string;
}

export interface ReportFinding extends StoredFinding {
	evidence: EvidenceRow[];
}

/** One device incarnation's life, for the swimlane chart (firstSeen: when its start is not in the evidence). */
export interface DeviceLane extends Omit<ActivityDevice, 'id' | 'ownerArn' | 'creatorArn'> {
	signIns: SignInMark[];
}

export interface SignInMark {
	eventTime: string;
	eventId: string;
	eventName: string;
	ok: boolean;
}

export interface OutcomeBucket {
	/** Start of the period (UTC), e.g. '2024-03-01'. */
	period: string;
	success: number;
	failure: number;
}

export interface ReportPrincipal {
	arn: string;
	type: string;
	name: string | null;
	findings: number;
	lanes: DeviceLane[];
	/** Sign-ins that named no known device (no MFA, or an unknown serial). */
	otherSignIns: SignInMark[];
	/** Chart period: day, week or month, chosen so the chart has at most maxBuckets bars. */
	bucket: 'day' | 'week' | 'month';
	outcomes: OutcomeBucket[];
	/** The span the charts cover. */
	from: string | null;
	to: string | null;
}

export interface ReportModel {
	generatedAt: string | null;
	caseFile: CaseFileFacts;
	inventory: CaseInventory;
	/** Every evidence source with its SHA-256, in path order (import order depends on the worker pool). */
	sources: SourceHash[];
	scope: CaseScope[];
	options: ReportOptions;
	findings: ReportFinding[];
	bySeverity: {severity: Severity; findings: ReportFinding[]}[];
	/** The first principalSections principals with findings, each with its charts. */
	principals: ReportPrincipal[];
	/** The rest (past principalSections): named with their finding counts only. */
	otherPrincipals: {arn: string; findings: number}[];
	journal: TriageEntry[];
	/** Decisions whose finding, principal or device is no longer in the case: listed, never hidden. */
	orphaned: (TriageTarget & TriageState)[];
	/** Sigma rules behind the report's findings: each credited with its author and file (Detection Rule License). */
	sigmaRules: SigmaRuleRecord[];
}

/**
 * Principals drawn with their own section and charts: a report over tens of thousands of
 * principals with findings stays readable (and its size bounded); the rest are listed by name and
 * count, and `mfatrail user ARN` or a report with --principal ARN draws any of them.
 */
export const principalSections = 50;

const maxBuckets = 60;

export function buildReport(db: CaseFile, caseFile: CaseFileFacts, options: ReportOptions = {}): ReportModel {
	const inventory = caseInventory(db);
	const principalSet = options.principals && options.principals.length > 0 ? new Set(options.principals) : undefined;
	const listed = listFindings(db, {status: options.status}).filter(f => !principalSet || (f.principal !== null && principalSet.has(f.principal)));
	const evidence = evidenceRows(
		db,
		listed.flatMap(f => f.eventIds),
	);
	const findings: ReportFinding[] = listed.map(f => ({...f, evidence: f.eventIds.map(id => evidence.get(id) ?? missingEvidence(id))}));
	const counts = new Map<string, number>();
	for (const f of findings) if (f.principal) counts.set(f.principal, (counts.get(f.principal) ?? 0) + 1);
	// Principals in the order their first (most severe, oldest) finding comes.
	const drawn = [...counts.keys()].slice(0, principalSections);
	const activity = principalActivity(db, drawn);
	const principals = drawn
		.map(arn => activity.get(arn))
		.filter((a): a is PrincipalActivity => a !== undefined)
		.map(a => principalSection(a, counts.get(a.principal.arn)!));
	const principalSerials = new Set(principals.flatMap(p => p.lanes.map(l => l.serialNumber)));
	const findingEvents = new Set(findings.flatMap(f => f.eventIds));
	const reported = new Set(findings.map(f => f.key));
	const sigmaRules = new Set(findings.map(f => f.rule));
	return {
		sigmaRules: sigmaRulesWithFindings(db).filter(r => sigmaRules.has(`sigma:${r.id}`)),
		generatedAt: options.generatedAt ?? inventory.imports.lastFinishedAt,
		caseFile,
		inventory,
		sources: [...inventory.hashes].sort((a, b) => compare(a.path, b.path) || compare(a.member ?? '', b.member ?? '') || a.id - b.id),
		scope: scopeOf(db),
		options,
		findings,
		bySeverity: severities.map(severity => ({severity, findings: findings.filter(f => f.severity === severity)})).filter(s => s.findings.length > 0),
		principals,
		otherPrincipals: [...counts.keys()].slice(principalSections).map(arn => ({arn, findings: counts.get(arn)!})),
		orphaned: orphanedTriage(db),
		// The journal entries of what the report covers: its findings, and its principals' and devices' own entries.
		journal: triageJournal(db).filter(
			e =>
				(e.kind === 'finding' && reported.has(e.target)) ||
				(e.kind === 'principal' && counts.has(e.target)) ||
				(e.kind === 'device' && principalSerials.has(e.target)) ||
				(e.kind === 'event' && findingEvents.has(e.target)),
		),
	};
}

function mark(s: ActivitySignIn): SignInMark {
	return {eventTime: s.eventTime, eventId: s.eventId, eventName: s.eventName, ok: s.result !== 'Failure' && !s.failedAtMfa};
}

function principalSection({principal, devices, signIns}: PrincipalActivity, findingCount: number): ReportPrincipal {
	const deviceIds = new Set(devices.map(d => d.id));
	const lanes: DeviceLane[] = devices.map(({id, ownerArn: _owner, creatorArn: _creator, ...d}) => ({...d, signIns: signIns.filter(s => s.deviceId === id).map(mark)}));
	const otherSignIns = signIns.filter(s => s.deviceId === null || !deviceIds.has(s.deviceId)).map(mark);
	const times = [
		...lanes.flatMap(l => [l.createdAt, l.enabledAt, l.deactivatedAt, l.deletedAt, l.firstSeen]),
		...signIns.map(s => s.eventTime),
	].filter((t): t is string => Boolean(t)).sort();
	const from = times[0] ?? null;
	const to = times[times.length - 1] ?? null;
	const bucket = from && to ? bucketFor(from, to) : 'day';
	return {
		arn: principal.arn,
		type: principal.type,
		name: principal.name,
		findings: findingCount,
		lanes,
		otherSignIns,
		bucket,
		outcomes: outcomes(signIns.map(mark), bucket),
		from,
		to,
	};
}

/**
 * The last recorded `mfatrail verify` in words: whether it passed, when, what it found, and whether
 * sources were imported after it (then it does not cover them). Null when none was recorded.
 */
export function verifyResult(inventory: CaseInventory): {ok: boolean; detail: string} | null {
	const v = inventory.verify;
	if (!v) return null;
	const found = Object.entries(v.summary)
		.filter(([, n]) => n > 0)
		.sort(([a], [b]) => compare(a, b))
		.map(([kind, n]) => `${kind} ${n}`)
		.join(', ');
	const since = inventory.sources.total - v.sources;
	return {
		ok: v.ok,
		detail: [
			`at ${v.verifiedAt} by mfatrail ${v.toolVersion}`,
			v.ok ? 'no problem found' : `${v.problems} problem${v.problems === 1 ? '' : 's'}${found ? ` (${found})` : ''}`,
			`digests: ${v.digestStatus}`,
			...(since > 0 ? [`${since} source${since === 1 ? '' : 's'} imported since, not covered`] : []),
		].join('; '),
	};
}

/** The scopes of a scoped extract; none in a case file written before scopes were recorded (no table). */
function scopeOf(db: CaseFile): CaseScope[] {
	try {
		return caseScope(db);
	} catch (error) {
		if (/no such table: scope\b/.test((error as Error).message)) return [];
		throw error;
	}
}

/** Code-unit order: the same on every machine and locale. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const day = 86_400_000;

function bucketFor(from: string, to: string): ReportPrincipal['bucket'] {
	const days = (Date.parse(to) - Date.parse(from)) / day + 1;
	if (!Number.isFinite(days) || days <= maxBuckets) return 'day';
	if (days / 7 <= maxBuckets) return 'week';
	return 'month';
}

/** The start of the period holding a time, in UTC: the day, the Monday of the week, or the month. */
export function periodOf(time: string, bucket: ReportPrincipal['bucket']): string {
	const date = time.slice(0, 10);
	if (bucket === 'day') return date;
	if (bucket === 'month') return `${date.slice(0, 7)}-01`;
	const ms = Date.parse(`${date}T00:00:00Z`);
	if (Number.isNaN(ms)) return date;
	const weekday = (new Date(ms).getUTCDay() + 6) % 7; // Monday = 0
	return new Date(ms - weekday * day).toISOString().slice(0, 10);
}

function outcomes(marks: SignInMark[], bucket: ReportPrincipal['bucket']): OutcomeBucket[] {
	const by = new Map<string, OutcomeBucket>();
	for (const m of marks) {
		const period = periodOf(m.eventTime, bucket);
		const b = by.get(period) ?? {period, success: 0, failure: 0};
		if (m.ok) b.success++;
		else b.failure++;
		by.set(period, b);
	}
	return [...by.values()].sort((a, b) => (a.period < b.period ? -1 : a.period > b.period ? 1 : 0));
}
