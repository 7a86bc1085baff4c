/**
 * The case at a glance, for the explorer's overview and `mfatrail summary`: the evidence, findings
 * by severity with the top ones, principals with findings, devices by state, and sign-in activity
 * over the evidence span. Each part is one small query, so this stays fast at a million events.
 */
import type {CaseFile} from '../db/open.js';
import {caseInventory, type CaseInventory} from '../db/inventory.js';
import {devicesByState, signInActivity, type ActivityBucket} from '../db/queries.js';
import {findingsBySeverity, principalsWithFindings, topFindings, type PrincipalWithFindings, type StoredFinding} from './queries.js';
import type {Severity} from './types.js';

export interface CaseSummary {
	inventory: CaseInventory;
	findings: {total: number; bySeverity: Record<Severity, number>; top: StoredFinding[]};
	principals: PrincipalWithFindings[];
	devices: {total: number; byState: Record<string, number>};
	signIns: {total: number; success: number; failure: number; buckets: ActivityBucket[]};
}

export interface SummaryOptions {
	/** Slices of the sign-in chart (default 60). */
	buckets?: number;
	/** Top findings listed (default 10). */
	topFindings?: number;
	/** Principals with findings listed (default 20). */
	principals?: number;
	/** Include the per-source hash list (default false: 40k rows at a million events). */
	hashes?: boolean;
}

export function caseSummary(db: CaseFile, options: SummaryOptions = {}): CaseSummary {
	const inventory = caseInventory(db, {hashes: options.hashes ?? false});
	const counts = findingsBySeverity(db);
	const {first, last} = inventory.span;
	return {
		inventory,
		findings: {total: counts.total, bySeverity: counts.bySeverity, top: topFindings(db, options.topFindings ?? 10)},
		principals: principalsWithFindings(db, options.principals ?? 20),
		devices: devicesByState(db),
		signIns: first && last ? signInActivity(db, first, last, options.buckets ?? 60) : {total: 0, success: 0, failure: 0, buckets: []},
	};
}
