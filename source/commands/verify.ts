import {exitCodes, isDamagedCaseFile} from './exit.js';
import {UsageError} from '../lib/errors.js';
import fs from 'node:fs';
import path from 'node:path';
import {caseFilePath, openCaseFile} from '../db/open.js';
import {recordVerify, type VerifyOutcome} from '../db/verify-record.js';
import {safe} from '../lib/terminal-text.js';
import {readPublicKeys, Signatures} from '../verify/digest.js';
import {verifyCaseFile, type VerifyReport} from '../verify/index.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {wrapText} from './query-render.js';

/** Exit status when a check fails: the report says which. */
export const verifyFailed = exitCodes.failedCheck;

function readSignatures(location: string): Signatures {
	const signatures = new Signatures();
	const stat = fs.statSync(location);
	if (stat.isDirectory()) {
		for (const name of fs.readdirSync(location).sort()) {
			const file = path.join(location, name);
			if (!fs.statSync(file).isFile()) continue;
			if (name.endsWith('.sig')) signatures.add(name.slice(0, -'.sig'.length), fs.readFileSync(file, 'utf8'));
			else if (name.endsWith('.json')) signatures.add(name.slice(0, -'.json'.length), JSON.parse(fs.readFileSync(file, 'utf8')) as unknown);
		}
	} else {
		const json = JSON.parse(fs.readFileSync(location, 'utf8')) as unknown;
		if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`${location}: expected a JSON object {"digest S3 key": "hex signature"}`);
		for (const [key, value] of Object.entries(json)) signatures.add(key, value);
	}
	return signatures;
}

function where(ref: {path: string; member: string | null}): string {
	return ref.member === null ? safe(ref.path) : `${safe(ref.path)} ▸ ${safe(ref.member)}`;
}

/**
 * The report for a person, within 80 columns: every evidence string through safe(), on a line of
 * its own (paths and S3 keys are never cut), hashes on their own lines, problems first-class, one
 * verdict line.
 */
export function formatReport(report: VerifyReport): string {
	const lines: string[] = [];
	const {integrity, sources, digests} = report;
	if (integrity.ok) lines.push('case file: integrity ok');
	else {
		lines.push('case file: INTEGRITY CHECK FAILED');
		for (const m of integrity.messages.slice(0, 10)) lines.push(`  ${safe(m)}`);
	}
	const unreadable = report.facts.unreadable;
	if (unreadable.length === 0) lines.push('MFA facts: every row readable');
	else {
		lines.push(`MFA facts: ${unreadable.length} UNREADABLE row${unreadable.length === 1 ? '' : 's'}, not in the model (re-import the evidence to restore them)`);
		lines.push(...wrapText(`event rows ${unreadable.slice(0, 20).join(', ')}${unreadable.length > 20 ? ', …' : ''}`, 78, '  '));
	}
	lines.push(
		`sources: ${sources.total} recorded, ${sources.rehashed} re-hashed, ${sources.unchanged} unchanged, ${sources.changed.length} changed,`,
		`         ${sources.notOnDisk.length} not on disk, ${sources.notRehashed.length} not re-hashed`,
	);
	for (const c of sources.changed) lines.push(`  CHANGED ${where(c)}`, '    sha256 at import, then now:', `    ${safe(c.recorded)}`, `    ${safe(c.now)}`);
	for (const n of sources.notOnDisk.slice(0, 20)) lines.push(`  not on disk: ${where(n)}`);
	for (const n of sources.notRehashed.slice(0, 20)) lines.push(`  not re-hashed: ${where(n)}`, `    ${safe(n.reason)}`);
	lines.push(`digests: ${digests.count} digest files, ${digests.logFiles.listed} log files listed, ${digests.logFiles.matched} found in the case`);
	for (const i of digests.invalid) lines.push(`  INVALID DIGEST ${where(i)}`, `    ${safe(i.reason)}`);
	if (digests.outsideScope !== null) lines.push(`  scoped extract: ${digests.outsideScope} listed log files lie outside the query's selection (not fetched)`);
	for (const m of digests.missing) lines.push(`  MISSING ${safe(m.s3Object)}`, `    listed in ${safe(m.digest)}, not imported`);
	for (const a of digests.altered) {
		lines.push(`  ALTERED ${where(a)}`, `    listed in ${safe(a.digest)}; sha256 there, then imported:`, `    ${safe(a.expected)}`, `    ${safe(a.imported)}`);
	}
	for (const u of digests.uncovered) lines.push(`  UNCOVERED ${where(u)}`, '    listed in no digest');
	for (const p of digests.chain.problems) lines.push(`  CHAIN ${safe(p.digest)}`, `    ${safe(p.problem)}`);
	for (const s of digests.signatures.invalid) lines.push(`  SIGNATURE INVALID ${safe(s)}`);
	for (const s of digests.signatures.absent) lines.push(`  no signature given for ${safe(s)}`);
	lines.push(...wrapText(`digest status: ${safe(digests.status)}`, 80, '  ').map((l, i) => (i === 0 ? l.slice(2) : l)));
	const problems = problemCount(report);
	lines.push(report.ok ? 'result: all checks hold' : `result: ${problems} problem${problems === 1 ? '' : 's'} found`);
	return `${lines.join('\n')}\n`;
}

/** Each kind of problem the report lists, counted. */
function problemKinds(report: VerifyReport): Record<string, number> {
	const {integrity, sources, digests} = report;
	return {
		integrity: integrity.ok ? 0 : 1,
		unreadableFacts: report.facts.unreadable.length,
		changed: sources.changed.length,
		notOnDisk: sources.notOnDisk.length,
		notRehashed: sources.notRehashed.length,
		invalidDigests: digests.invalid.length,
		missing: digests.missing.length,
		altered: digests.altered.length,
		uncovered: digests.uncovered.length,
		chain: digests.chain.problems.length,
		invalidSignatures: digests.signatures.invalid.length,
	};
}

/** Problems that fail the check (files not on disk or not re-hashed are listed, not failures). */
function problemCount(report: VerifyReport): number {
	const {notOnDisk, notRehashed, ...failing} = problemKinds(report);
	return Object.values(failing).reduce((a, b) => a + b, 0);
}

export function verifyOutcome(report: VerifyReport, toolVersion: string, at: Date = new Date()): VerifyOutcome {
	return {
		verifiedAt: at.toISOString(),
		ok: report.ok,
		problems: problemCount(report),
		sources: report.sources.total,
		digestStatus: report.digests.status,
		toolVersion,
		summary: problemKinds(report),
	};
}

/**
 * The check reads only; its outcome is then written to the case file through a second, writable
 * connection. A case file that cannot be written (read-only file or medium, an import holding the
 * lock) keeps its report on screen and says the outcome was not recorded.
 */
function recordOutcome(file: string, outcome: VerifyOutcome): string | undefined {
	try {
		const db = openCaseFile(file);
		try {
			recordVerify(db, outcome);
		} finally {
			db.close();
		}
		return undefined;
	} catch (error) {
		return (error as Error).message;
	}
}

/** The report of a case file SQLite cannot read as a whole database: its integrity check failed. */
function damaged(file: string, error: Error, json: boolean): number {
	const message = `the case file ${file} is damaged: ${error.message}`;
	if (json) process.stdout.write(`${JSON.stringify({ok: false, failedCheck: 'integrity', integrity: {ok: false, messages: [message]}})}\n`);
	else process.stdout.write(`case file: INTEGRITY CHECK FAILED\n  ${safe(message)}\nresult: the integrity check failed; the other checks need a readable case file\n`);
	return verifyFailed;
}

export const verifyCommand: Command = {
	name: 'verify',
	summary: 'check the case file, re-hash the evidence, validate CloudTrail digests (offline)',
	help: `
	Usage
	  $ mfatrail verify [--db FILE] [--public-key FILE --signatures FILE|DIR] [--json]

	Checks, reading only:
	  - the case file (SQLite integrity_check);
	  - every evidence file still on disk: its SHA-256 now against the one recorded at import;
	  - the imported CloudTrail digest files: each listed log file against the SHA-256 of the
	    imported content (missing, altered), log files listed in no digest, and the chain of
	    digests (previousDigestHashValue).
	Digest signatures are checked only when you give both the public key and the signatures:
	  --public-key FILE   PEM, DER, base64 DER, or the JSON of aws cloudtrail list-public-keys
	  --signatures FILE   JSON {"<digest S3 key or file name>": "<hex x-amz-meta-signature>"}
	                      (values may also be aws s3api head-object output)
	  --signatures DIR    <digest file name>.sig (hex) or <digest file name>.json (head-object)
	Without them the digest status says "hash chain consistent, signature not verified".

	The outcome (when, whether all checks hold, how many problems) is then recorded in the case
	file for the overview and mfatrail summary; a case file that cannot be written is only read.

	Options
	  --db FILE   case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --json      print the report as one JSON object

	Exit status: 0 all checks hold, ${verifyFailed} a check failed (the report says which; a
	damaged case file is a failed check too), 2 usage, 5 error.

	Examples
	  $ mfatrail verify --db case.db
	  $ mfatrail verify --db case.db --public-key keys.json --signatures signatures.json
`,
	flags: {
		...dbFlag,
		...jsonFlag,
		publicKey: {type: 'string', default: ''},
		signatures: {type: 'string', default: ''},
	},
	async run(_input, flags) {
		const keyFile = flags.publicKey as string;
		const signatureFile = flags.signatures as string;
		if (Boolean(keyFile) !== Boolean(signatureFile)) {
			process.stderr.write(`mfatrail verify: signatures are checked with both --public-key and --signatures; ${keyFile ? '--signatures' : '--public-key'} is missing, so signatures are not verified\n`);
		}
		const publicKeys = keyFile ? readPublicKeys(fs.readFileSync(keyFile)) : undefined;
		const signatures = signatureFile ? readSignatures(signatureFile) : undefined;
		const file = caseFilePath(flags.db as string);
		let report: VerifyReport;
		try {
			const db = openCaseFile(file, {readonly: true});
			try {
				report = await verifyCaseFile(db, {publicKeys, signatures});
			} finally {
				db.close();
			}
		} catch (error) {
			// A damaged case file is what verify is for: the failed check, named, not SQLite's error.
			if (!isDamagedCaseFile(error)) throw error;
			return damaged(file, error as Error, Boolean(flags.json));
		}
		process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report));
		// main.js lists this module: loaded here, not imported above, to keep the modules acyclic.
		const {toolVersion} = await import('../package-root.js');
		const notRecorded = recordOutcome(file, verifyOutcome(report, toolVersion()));
		if (notRecorded) process.stderr.write(`mfatrail verify: the outcome was not recorded in the case file: ${safe(notRecorded)}\n`);
		return report.ok ? 0 : verifyFailed;
	},
};
