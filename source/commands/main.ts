import fs from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import meow from 'meow';
import type {Command} from './command.js';
import {terminalSafe} from '../lib/terminal-text.js';
import {exploreCommand} from './explore.js';
import {findingsCommand} from './findings.js';
import {importCommand} from './import.js';
import {deviceCommand} from './device.js';
import {eventCommand} from './event.js';
import {loginsCommand} from './logins.js';
import {searchCommand} from './search.js';
import {timelineCommand} from './timeline.js';
import {userCommand} from './user.js';
import {verifyCommand} from './verify.js';

export const commands: Command[] = [importCommand, verifyCommand, exploreCommand, findingsCommand, searchCommand, userCommand, deviceCommand, loginsCommand, timelineCommand, eventCommand];

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function toolVersion(): string {
	return (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {version: string}).version;
}

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

	Examples
	  $ mfatrail import evidence/AWSLogs --db case.db
	  $ mfatrail --db case.db
`;
}

/** Runs the command named in argv; returns the exit status. */
export async function main(argv: string[]): Promise<number> {
	const name = argv.find(a => !a.startsWith('-'));
	const command = commands.find(c => c.name === name);
	if (!command) {
		const cli = meow(overview(), {importMeta: import.meta, argv, flags: {db: {type: 'string'}}, autoHelp: false, autoVersion: false, version: toolVersion()});
		if (cli.flags.version || argv.includes('--version')) {
			process.stdout.write(`${toolVersion()}\n`);
			return 0;
		}
		if (name !== undefined) {
			process.stderr.write(`mfatrail: unknown command '${terminalSafe(name)}' (see mfatrail --help)\n`);
			return 2;
		}
		const explore = commands.find(c => c.name === 'explore');
		if (explore && !argv.includes('--help') && process.stdin.isTTY && process.stdout.isTTY) return explore.run([], cli.flags);
		process.stdout.write(`${cli.help}\n`);
		return 0;
	}
	const rest = argv.filter(a => a !== name);
	const cli = meow(command.help, {
		importMeta: import.meta,
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
		// Messages may quote evidence (file names, values) or pasted arguments: terminal-safe like any evidence.
		process.stderr.write(`mfatrail ${command.name}: ${terminalSafe((error as Error).message)}\n`);
		return 1;
	}
}
