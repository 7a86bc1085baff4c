import {UsageError} from '../lib/errors.js';
import {listSignIns, type SignInEntry, type SignInFilter} from '../db/queries.js';
import {csvCell} from '../lib/terminal-text.js';
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
	'federation',
	'mfaIdentifier',
	'mfaType',
	'sourceIPAddress',
	'userAgent',
	'errorMessage',
	'loginTo',
	'eventId',
] as const;

/**
 * The sign-ins as CSV, to a file, a pipe or a terminal alike: every cell, header included, is
 * formula-neutralised and has its control and bidi characters made visible (csvCell), so no
 * ESC/OSC sequence or override reaches whoever reads it.
 */
export function loginsCsv(entries: readonly SignInEntry[]): string {
	const lines = [csvColumns.map(csvCell).join(','), ...entries.map(e => csvColumns.map(c => csvCell(e[c])).join(','))];
	return `${lines.join('\r\n')}\r\n`;
}

export const loginsCommand: Command = {
	name: 'logins',
	summary: 'sign-in attempts and MFA uses, filtered by user, device, result and time',
	help: `
	Usage
	  $ mfatrail logins [--user NAME|ARN] [--device SERIAL|NAME] [--failed] [--since T] [--until T] [--csv] [--json]

	Console sign-ins (ConsoleLogin), CheckMfa steps, Identity Center sign-in steps and STS calls
	made with an MFA serial, in time order. Failure@MFA marks a failed ConsoleLogin that followed
	a successful CheckMfa (the MFA step failed). "at IdP" marks a federated console sign-in (SAML,
	an Identity Center permission set, a role session, a federated user): its MFA happened at the
	identity provider, not visible in CloudTrail, whatever MFAUsed says (--json: federation).
	Times: ISO 8601 (2024-03-01, 2024-03-01T10:00Z) or an age (7d, 12h, 30m).
	--until with a date alone (2024-03-01) includes that whole day.

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
		if (input.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(input[0])} (filters are flags: --user, --device)`);
		const filter: SignInFilter = {failedOnly: Boolean(flags.failed), since: timeFlag(flags.since), until: timeFlag(flags.until, {endOfDay: true})};
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
				process.stdout.write(loginsCsv(entries));
			} else out(signInTable(entries, {principal: !filter.principalArn}));
			return 0;
		} finally {
			db.close();
		}
	},
};
