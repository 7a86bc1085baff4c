import {terminalSafe} from '../lib/terminal-text.js';
import {toolVersion} from '../package-root.js';
import type {Command} from './command.js';

/**
 * The command list. Each command module is loaded only when it runs (or shows its help): loading
 * them all costs more than the answer (explore alone pulls in Ink, React and fuse.js), and
 * `--version`, `--help` and every query command should start at once. The summaries here are the
 * modules' own (a test checks they agree).
 */
export interface CommandEntry {
	name: string;
	summary: string;
	load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
	{name: 'import', summary: 'import CloudTrail evidence (files, folders, archives, - for stdin) into the case file', load: async () => (await import('./import.js')).importCommand},
	{name: 'verify', summary: 'check the case file, re-hash the evidence, validate CloudTrail digests (offline)', load: async () => (await import('./verify.js')).verifyCommand},
	{name: 'explore', summary: 'open the interactive explorer (needs a terminal)', load: async () => (await import('./explore.js')).exploreCommand},
	{name: 'summary', summary: 'the case at a glance: evidence, findings, principals with findings, devices, sign-ins', load: async () => (await import('./summary.js')).summaryCommand},
	{name: 'findings', summary: 'what looks wrong: MFA abuse findings with their evidence', load: async () => (await import('./findings.js')).findingsCommand},
	{name: 'sigma', summary: 'run Sigma rules (aws/cloudtrail, correlations too) over the case; matches become findings', load: async () => (await import('./sigma.js')).sigmaCommand},
	{name: 'export', summary: 'the timeline for Timesketch (JSON Lines) or Timeline Explorer (CSV), with findings and triage', load: async () => (await import('./export.js')).exportCommand},
	{name: 'triage', summary: 'mark a finding, principal, device or event confirmed, benign or needs-review, with a note', load: async () => (await import('./triage.js')).triageCommand},
	{name: 'report', summary: 'the case report to hand over: evidence, verify result, findings with triage and evidence, charts (HTML or Markdown)', load: async () => (await import('./report.js')).reportCommand},
	{name: 'search', summary: 'search principals, MFA devices, access keys, source IPs, user agents and eventIDs', load: async () => (await import('./search.js')).searchCommand},
	{name: 'user', summary: 'a principal: its MFA devices with their lifecycles, and its sign-ins', load: async () => (await import('./user.js')).userCommand},
	{name: 'device', summary: 'an MFA device by serial or name: owner, state, lifecycle, sign-ins', load: async () => (await import('./device.js')).deviceCommand},
	{name: 'logins', summary: 'sign-in attempts and MFA uses, filtered by user, device, result and time', load: async () => (await import('./logins.js')).loginsCommand},
	{name: 'timeline', summary: 'MFA lifecycle calls and sign-ins merged in time order', load: async () => (await import('./timeline.js')).timelineCommand},
	{name: 'key', summary: 'an access key: owner, where it was minted, MFA, every call it made (denied marked)', load: async () => (await import('./pivot.js')).keyCommand},
	{name: 'ip', summary: 'a source IP or CIDR: its country and ASN, the principals and sign-ins from it', load: async () => (await import('./pivot.js')).ipCommand},
	{name: 'agent', summary: 'a user agent: who used it, and when', load: async () => (await import('./pivot.js')).agentCommand},
	{name: 'event', summary: 'one record by eventID: the original text, pretty-printed, with its provenance', load: async () => (await import('./event.js')).eventCommand},
	{name: 'scope', summary: 'org scale: Athena SQL that picks the MFA objects, run locally; download plan', load: async () => (await import('./scope.js')).scopeCommand},
];

function overview(): string {
	const width = Math.max(...commands.map(c => c.name.length));
	return `
	Usage
	  $ mfatrail <command> [options]

	Commands
${commands.map(c => `	  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

	Options
	  --db FILE    case file (default ./mfatrail.db, or $MFATRAIL_DB)
	  --help       help for mfatrail or for a command (mfatrail import --help)
	  --version    the version
	  --debug      print the stack of an unexpected error (also MFATRAIL_DEBUG=1)

	Exit status (every command): 0 done, 1 nothing found, 2 usage, 3 partial import,
	4 a failed check (verify), 5 error (disk full, damaged case file, a bug), 128+N stopped
	by signal N (130 Ctrl-C, 143 SIGTERM); docs/exit-codes.md

	Examples
	  $ mfatrail import evidence/AWSLogs --db case.db
	  $ mfatrail --db case.db
`;
}

/** meow costs a few milliseconds to load: only commands and the help overview need it. */
async function loadMeow() {
	return (await import('../lib/meow.js')).default;
}

/** What meow would otherwise look for up the folder tree (dist/lib/meow.js cannot: source/lib/meow.ts). */
const pkg = {name: 'mfatrail'};

/** Where the command name is: the first word that is neither a flag nor the value of --db (`mfatrail --db case.db user alice`). */
function commandIndex(argv: string[]): number {
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--db' || argv[i] === '-d') i++;
		else if (!argv[i].startsWith('-')) return i;
	}
	return -1;
}

/** Runs the command named in argv; returns the exit status (the table in exit.ts). */
export async function main(givenArgv: string[]): Promise<number> {
	// --debug is everyone's: it prints the stack of an unexpected error (as MFATRAIL_DEBUG=1 does).
	const debug = givenArgv.includes('--debug');
	const argv = givenArgv.filter(a => a !== '--debug');
	const at = commandIndex(argv);
	const name = at < 0 ? undefined : argv[at];
	const entry = commands.find(c => c.name === name);
	if (!entry) {
		// --version (with or without --db) answers without loading anything else.
		if (name === undefined && argv.includes('--version')) {
			process.stdout.write(`${toolVersion()}\n`);
			return 0;
		}
		if (name !== undefined) {
			process.stderr.write(`mfatrail: unknown command '${terminalSafe(name)}' (see mfatrail --help)\n`);
			return 2;
		}
		const meow = await loadMeow();
		const cli = meow(overview(), {importMeta: import.meta, pkg, argv, flags: {db: {type: 'string'}}, autoHelp: false, autoVersion: false, version: toolVersion()});
		if (!argv.includes('--help') && process.stdin.isTTY && process.stdout.isTTY) {
			const explore = await commands.find(c => c.name === 'explore')!.load();
			return explore.run([], cli.flags);
		}
		process.stdout.write(`${cli.help}\n`);
		return 0;
	}
	const [command, meow] = await Promise.all([entry.load(), loadMeow()]);
	const rest = [...argv.slice(0, at), ...argv.slice(at + 1)];
	const cli = meow(command.help, {
		importMeta: import.meta,
		pkg,
		argv: rest,
		flags: {...command.flags, help: {type: 'boolean', shortFlag: 'h'}},
		version: toolVersion(),
		allowUnknownFlags: false,
		autoHelp: false,
		autoVersion: false,
		description: `mfatrail ${command.name}: ${command.summary}`,
	});
	if (rest.includes('--help') || rest.includes('-h')) {
		process.stdout.write(`${cli.help}\n`);
		return 0;
	}
	try {
		return await command.run(cli.input, cli.flags as Record<string, unknown>);
	} catch (error) {
		const {debugEnabled, reportError} = await import('./exit.js');
		const {caseFilePath} = await import('../db/open.js');
		return reportError(command.name, error, {caseFile: caseFilePath(cli.flags.db as string | undefined), debug: debug || debugEnabled([])});
	}
}
