/**
 * The outcome of the last `mfatrail verify` runs, kept in the case file (table verify_run) so the
 * overview, `mfatrail summary` and reports can say whether and when the evidence was checked.
 */
import type {CaseFile} from './open.js';

export interface VerifyOutcome {
	/** UTC time the check finished. */
	verifiedAt: string;
	ok: boolean;
	problems: number;
	/** Sources recorded when the check ran (a later import makes the outcome stale). */
	sources: number;
	digestStatus: string;
	toolVersion: string;
	/** Counts of each kind of problem (changed, missing, altered, ...). */
	summary: Record<string, number>;
}

export function recordVerify(db: CaseFile, outcome: VerifyOutcome): void {
	db.prepare(`INSERT INTO verify_run (verified_at, ok, problems, sources, digest_status, tool_version, summary) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
		outcome.verifiedAt,
		outcome.ok ? 1 : 0,
		outcome.problems,
		outcome.sources,
		outcome.digestStatus,
		outcome.toolVersion,
		JSON.stringify(outcome.summary),
	);
}

/** The latest recorded verify outcome, or null when verify never recorded one. */
export function lastVerify(db: CaseFile): VerifyOutcome | null {
	const row = db
		.prepare(`SELECT verified_at AS verifiedAt, ok, problems, sources, digest_status AS digestStatus, tool_version AS toolVersion, summary
			FROM verify_run ORDER BY id DESC LIMIT 1`)
		.get() as (Omit<VerifyOutcome, 'ok' | 'summary'> & {ok: number; summary: string}) | undefined;
	if (!row) return null;
	return {...row, ok: row.ok === 1, summary: JSON.parse(row.summary) as Record<string, number>};
}
