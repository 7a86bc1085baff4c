import {listSignIns, type SignInFilter} from '../db/queries.js';
import {csvCell, terminalSafe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson, resolveDevice, resolvePrincipal, timeFlag} from './query-common.js';
import {signInTable} from './query-render.js';

const csvColumns = [
	'eventTime',
	'eventName',
	'kind',
	'principalArn',
	'result',
	'failedAtMfa',
	'mfaUsed',
	'mfaIdentifier',
	'mfaType',
	'sourceIPAddress',
	'userAgent',
	'errorMessage',
	'loginTo',
	'eventId',
] as const;

export const loginsCommand: Command = {
	name: 'logins',
	summary: 'sign-in attempts and MFA uses, filtered by user, device, result and time',
	help: `
	Usage
	  $ mfatrail logins [--user NAME|ARN] [--device SERIAL|NAME] [--failed] [--since T] [--until T] [--csv] [--json]

	Console sign-ins (ConsoleLogin), CheckMfa steps, Identity Center sign-in steps and STS calls
	made with an MFA serial, in time order. Failure@MFA marks a failed ConsoleLogin that followed
	a successful CheckMfa (the MFA step failed).
	Times: ISO 8601 (2024-03-01, 2024-03-01T10:00Z) or an age (7d, 12h, 30m).

	Examples
	  $ mfatrail logins --user bob --failed --db case.db
	  $ mfatrail logins --since 2023-01-01 --csv > logins.csv
`,
	flags: {
		...dbFlag,
		...jsonFlag,
		user: {type: 'string', default: ''},
		device: {type: 'string', default: ''},
		failed: {type: 'boolean', default: false},
		since: {type: 'string', default: ''},
		until: {type: 'string', default: ''},
		csv: {type: 'boolean', default: false},
	},
	run(input, flags) {
		if (input.length > 0) throw new Error(`unexpected argument ${JSON.stringify(input[0])} (filters are flags: --user, --device)`);
		const filter: SignInFilter = {failedOnly: Boolean(flags.failed), since: timeFlag(flags.since), until: timeFlag(flags.until)};
		const db = openForQuery(flags);
		try {
			if (flags.user) {
				const principal = resolvePrincipal(db, flags.user as string, 'logins');
				if (!principal.ok) return principal.status;
				filter.principalArn = principal.value.arn;
			}
			if (flags.device) {
				const device = resolveDevice(db, flags.device as string, 'logins');
				if (!device.ok) return device.status;
				filter.deviceSerial = device.value.serialNumber;
			}
			const entries = listSignIns(db, filter);
			if (flags.json) printJson(entries);
			else if (flags.csv) {
				// A file or pipe gets the plain CSV (formula-neutralised); a terminal reading it gets
				// every cell escaped as well, like any evidence shown on a terminal.
				const cell = process.stdout.isTTY ? (value: unknown) => terminalSafe(csvCell(value)) : csvCell;
				const lines = [csvColumns.join(','), ...entries.map(e => csvColumns.map(c => cell(e[c])).join(','))];
				process.stdout.write(`${lines.join('\r\n')}\r\n`);
			} else out(signInTable(entries, {principal: !filter.principalArn}));
			return 0;
		} finally {
			db.close();
		}
	},
};
