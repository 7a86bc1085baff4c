import fs from 'node:fs';
import {safe} from '../lib/terminal-text.js';
import {runLocal} from '../scope/local.js';
import {makePlan, planList, planScript, readSelection} from '../scope/manifest.js';
import {makeScopeFile, scopeFileText} from '../scope/scope-file.js';
import {checkTableName, defaultTable, scopeSql, ScopeError, statementOptions, tableForms, type TableForm} from '../scope/sql.js';
import {jsonFlag, type Command} from './command.js';
import {timeFlag} from './query-common.js';

function list(value: unknown): string[] {
	return Array.isArray(value) ? value.map(String).filter(v => v !== '') : typeof value === 'string' && value !== '' ? [value] : [];
}

/** The statement: the file given with --sql (run as written), else the one the flags describe. */
function statement(flags: Record<string, unknown>): {text: string; table: string} {
	const file = flags.sql as string | undefined;
	if (file) {
		let text: string;
		try {
			text = fs.readFileSync(file, 'utf8');
		} catch (error) {
			throw new ScopeError(`cannot read --sql ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
		}
		return {text, table: checkTableName((flags.table as string) || statementOptions(text)?.table || defaultTable)};
	}
	const form = ((flags.form as string) || 'console') as TableForm;
	if (!tableForms.includes(form)) throw new ScopeError(`unknown --form ${JSON.stringify(form)}; use ${tableForms.join(', ')}`);
	const table = checkTableName((flags.table as string) || defaultTable);
	const text = scopeSql({
		table,
		form,
		since: timeFlag(flags.since),
		until: timeFlag(flags.until, {endOfDay: true}),
		accounts: list(flags.account),
		regions: list(flags.region),
	});
	return {text, table};
}

function percent(part: number, whole: number): string {
	return whole === 0 ? '0 %' : `${((100 * part) / whole).toFixed(1)} %`;
}

/** `--out plan.sh` writes plan.sh and plan.txt. */
function listFileFor(out: string): string {
	return out.endsWith('.sh') ? `${out.slice(0, -3)}.txt` : `${out}.txt`;
}

export const scopeCommand: Command = {
	name: 'scope',
	summary: 'org scale: Athena SQL that picks the MFA objects, run locally; download plan',
	help: `
	Usage
	  $ mfatrail scope sql [--table NAME] [--form F] [--since T] [--until T]
	                       [--account ID]… [--region R]…
	  $ mfatrail scope local PATH… [--json] [--sql FILE] [--write-scope FILE]
	  $ mfatrail scope manifest RESULT.csv [--out FILE] [--sql FILE] [--dest DIR]

	sql       one Athena (Trino) statement over the CloudTrail table returning one
	          column, path: the S3 objects with MFA-relevant events and their
	          context (calls by the same access keys, minted keys included, by the
	          principals and IAM users from 24 h before to 36 h after each MFA
	          event; the principal's failed calls 30 days before)
	local     the same statement on DuckDB over a local tree: the selected files
	manifest  Athena's result CSV (or one s3:// URI per line) to a download plan:
	          the objects and the CloudTrail-Digest files of the same accounts,
	          regions and hours, as aws s3 cp lines (the script also writes the
	          scope file import records) and a plain list. mfatrail fetches nothing.

	Options
	  --table NAME        Athena table (default ${defaultTable}), or database.table
	  --form F            console (no partitions; default), projection (timestamp
	                      partition) or org (account, region, timestamp)
	  --since, --until T  MFA events in this range (context: 30 d before, 36 h after)
	  --account ID        only these accounts (repeat the flag)
	  --region R          only these regions (repeat the flag)
	  --sql FILE          local, manifest: the statement as run (local runs it)
	  --json              local: one JSON object (query, files, selected, seconds)
	  --write-scope FILE  local: also write the scope file, for import --scope
	  --out FILE          manifest: the script to FILE, the list to FILE.txt (plan.sh
	                      gives plan.txt); without it the script goes to stdout
	  --dest DIR          manifest: where the script downloads to (default evidence)

	Examples
	  $ mfatrail scope sql --form org --since 2023-01-01 > scope.sql
	  $ mfatrail scope manifest results.csv --sql scope.sql --out plan.sh
	  $ sh plan.sh evidence && mfatrail import evidence --db case.db
	  $ mfatrail scope local AWSLogs/ --write-scope scope.json > selected.txt
`,
	flags: {
		...jsonFlag,
		table: {type: 'string'},
		form: {type: 'string'},
		since: {type: 'string'},
		until: {type: 'string'},
		account: {type: 'string', isMultiple: true},
		region: {type: 'string', isMultiple: true},
		sql: {type: 'string'},
		writeScope: {type: 'string'},
		out: {type: 'string'},
		dest: {type: 'string', default: 'evidence'},
	},
	async run(input, flags) {
		const [sub, ...rest] = input;
		if (sub === 'sql') {
			if (rest.length > 0) throw new ScopeError(`scope sql takes no arguments (got ${rest.join(' ')})`);
			process.stdout.write(statement(flags).text);
			return 0;
		}
		if (sub === 'local') {
			if (rest.length === 0) throw new ScopeError('scope local: name the folders or files to run the statement over');
			const {text, table} = statement(flags);
			const run = await runLocal(text, rest, table);
			if (flags.writeScope) fs.writeFileSync(flags.writeScope as string, scopeFileText(makeScopeFile('duckdb', text, run.selected, [])));
			if (flags.json) {
				process.stdout.write(`${JSON.stringify({engine: 'duckdb', query: text, files: run.considered, selected: run.selected, unreadable: run.unreadable, skipped: run.skipped, seconds: run.seconds}, null, 2)}\n`);
			} else {
				for (const file of run.selected) process.stdout.write(`${safe(file)}\n`);
				for (const u of run.unreadable) process.stderr.write(`unreadable, selected anyway (import says what is wrong): ${safe(u.file)}\n  ${safe(u.reason)}\n`);
				process.stderr.write(`selected ${run.selected.length} of ${run.considered} log files (${percent(run.selected.length, run.considered)}) in ${run.seconds.toFixed(2)} s${run.skipped.length > 0 ? `; ${run.skipped.length} other files not read` : ''}\n`);
			}
			return 0;
		}
		if (sub === 'manifest') {
			if (rest.length !== 1) throw new ScopeError('scope manifest: name one result file (Athena result CSV, or one s3:// URI per line)');
			const file = rest[0];
			let text: string;
			try {
				text = fs.readFileSync(file, 'utf8');
			} catch (error) {
				throw new ScopeError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
			}
			const objects = readSelection(text, file);
			if (objects.length === 0) throw new ScopeError(`${file}: no objects: the query selected nothing`);
			const query = flags.sql ? statement(flags).text : '';
			if (!query) process.stderr.write('mfatrail scope manifest: no --sql given: the scope will not record the query text\n');
			const plan = makePlan(objects, query);
			const script = planScript(plan, flags.dest as string);
			const out = flags.out as string | undefined;
			if (out) {
				fs.writeFileSync(out, script, {mode: 0o755});
				fs.writeFileSync(listFileFor(out), planList(plan));
				process.stderr.write(`${plan.objects.length} objects and ${plan.digests.length} digest folders: wrote ${safe(out)} and ${safe(listFileFor(out))}\n`);
			} else process.stdout.write(script);
			return 0;
		}
		throw new ScopeError(sub === undefined ? 'name a subcommand: sql, local or manifest (see mfatrail scope --help)' : `unknown subcommand ${JSON.stringify(sub)}: use sql, local or manifest`);
	},
};
