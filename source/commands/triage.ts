import {UsageError} from '../lib/errors.js';
import {caseFilePath, openCaseFile} from '../db/open.js';
import {isTriageStatus, orphanedTriage, recordTriage, resolveTriageTarget, triageJournal, triageKinds, triageState, triageStatuses, type TriageKind, type TriageStatus} from '../db/triage.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';

export const triageCommand: Command = {
	name: 'triage',
	summary: 'mark a finding, principal, device or event confirmed, benign or needs-review, with a note',
	help: `
	Usage
	  $ mfatrail triage ID [--status S] [--note TEXT] [--analyst NAME] [--kind K] [--db FILE] [--json]
	  $ mfatrail triage ID --journal       (the entries for ID, oldest first)
	  $ mfatrail triage --journal          (the whole journal)
	  $ mfatrail triage --orphaned         (decisions whose target is no longer in the case)

	ID is a finding (its id as \`mfatrail findings\` lists it, or its key), a principal ARN, an MFA
	device serial number, or an eventID. Each decision is appended to the case file's triage journal
	with the time, the analyst (the OS user unless --analyst), the old and new status and the note;
	nothing is ever overwritten. Without --status or --note it prints the current state.

	Options
	  --status S      needs-review (the default of everything), confirmed or benign
	  --note TEXT     free text: why, what was done, ticket number
	  --analyst NAME  who decided (default: the OS user)
	  --kind K        finding, principal, device or event, when ID names several
	  --journal       print the journal instead
	  --orphaned      list decisions whose finding, principal or device is no longer in the case
	                  (a finding the evidence no longer supports); they are never hidden
	  --json          print as JSON
	  --db FILE       case file (default ./mfatrail.db, or $MFATRAIL_DB)

	Examples
	  $ mfatrail triage 12 --status confirmed --note "attacker device, ticket IR-42"
	  $ mfatrail triage arn:aws:iam::123456789012:user/alice --status benign --note "travel"
	  $ mfatrail findings --status needs-review
`,
	flags: {
		...dbFlag,
		...jsonFlag,
		status: {type: 'string'},
		note: {type: 'string'},
		analyst: {type: 'string'},
		kind: {type: 'string'},
		journal: {type: 'boolean', default: false},
		orphaned: {type: 'boolean', default: false},
	},
	run(input, flags) {
		const id = input[0];
		const status = flags.status as string | undefined;
		const note = flags.note as string | undefined;
		const kind = flags.kind as string | undefined;
		if (status !== undefined && !isTriageStatus(status)) throw new UsageError(`unknown status ${JSON.stringify(status)}; use ${triageStatuses.join(', ')}`);
		if (kind !== undefined && !(triageKinds as string[]).includes(kind)) throw new UsageError(`unknown kind ${JSON.stringify(kind)}; use ${triageKinds.join(', ')}`);
		if (flags.orphaned) {
			const db = openCaseFile(caseFilePath(flags.db as string), {readonly: true});
			try {
				const orphans = orphanedTriage(db);
				if (flags.json) process.stdout.write(`${JSON.stringify(orphans, null, 2)}\n`);
				else if (orphans.length === 0) process.stdout.write('no orphaned triage entries\n');
				else for (const o of orphans) process.stdout.write(`${o.kind} ${safe(o.target)} (no longer in this case file)\n  ${o.status}${o.note ? `: ${safe(o.note)}` : ''} (${o.at}, ${safe(o.analyst ?? '')})\n`);
				return 0;
			} finally {
				db.close();
			}
		}
		if (id === undefined && !flags.journal) throw new UsageError('give an ID (a finding id or key, principal ARN, serial number or eventID), or --journal');
		const writing = status !== undefined || (note !== undefined && note !== '');
		const db = openCaseFile(caseFilePath(flags.db as string), {readonly: !writing});
		try {
			let target;
			if (id !== undefined) {
				const found = resolveTriageTarget(db, id, kind as TriageKind | undefined);
				if (found.length === 0) {
					process.stderr.write(`mfatrail triage: nothing in this case file is ${safe(id)} (a finding id or key, principal ARN, serial number or eventID)\n`);
					return 1;
				}
				if (found.length > 1) {
					process.stderr.write(`mfatrail triage: ${safe(id)} names ${found.map(f => f.kind).join(' and ')}; choose with --kind\n`);
					return 2;
				}
				target = found[0];
			}
			if (flags.journal || !writing) {
				if (flags.journal || !target) {
					const entries = triageJournal(db, target);
					if (flags.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
					else if (entries.length === 0) process.stdout.write('no triage entries\n');
					else for (const e of entries) process.stdout.write(`${e.at}  ${safe(e.analyst)}  ${e.kind} ${safe(e.target)}${e.givenAs ? ` (given as ${safe(e.givenAs)})` : ''}\n  ${e.oldStatus} → ${e.newStatus}${e.note ? `: ${safe(e.note)}` : ''}\n`);
					return 0;
				}
				const state = triageState(db, target);
				if (flags.json) process.stdout.write(`${JSON.stringify({...target, ...state}, null, 2)}\n`);
				else process.stdout.write(`${target.kind} ${safe(target.target)}\n  ${state.status}${state.note ? `: ${safe(state.note)}` : ''}${state.at ? ` (${state.at}, ${safe(state.analyst ?? '')})` : ''}\n`);
				return 0;
			}
			const entry = recordTriage(db, {...target!, status: status as TriageStatus | undefined, note, analyst: flags.analyst as string | undefined});
			if (flags.json) process.stdout.write(`${JSON.stringify(entry, null, 2)}\n`);
			else process.stdout.write(`${entry.kind} ${safe(entry.target)}: ${entry.oldStatus} → ${entry.newStatus}${entry.note ? ` (${safe(entry.note)})` : ''}, by ${safe(entry.analyst)} at ${entry.at}\n`);
			return 0;
		} finally {
			db.close();
		}
	},
};
