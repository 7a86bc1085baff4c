import {UsageError} from '../lib/errors.js';
import {timeline} from '../db/queries.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson, resolveDevice, resolvePrincipal, table, timeFlag} from './query-common.js';
import {safe} from '../lib/terminal-text.js';
import {deviceLabel, mfaLabel, outcome, principalLabel, shortTime, signInLabel, signInResult, signInStepLabel, wrapText} from './query-render.js';

export const timelineCommand: Command = {
	name: 'timeline',
	summary: 'MFA lifecycle calls and sign-ins merged in time order',
	help: `
	Usage
	  $ mfatrail timeline [--user NAME|ARN] [--device SERIAL|NAME] [--since T] [--until T] [--json]

	Times: ISO 8601 (2024-03-01, 2024-03-01T10:00Z) or an age (7d, 12h, 30m).
	--until with a date alone (2024-03-01) includes that whole day.

	Examples
	  $ mfatrail timeline --user alice --db case.db
	  $ mfatrail timeline --since 2023-04-01 --until 2023-04-30 --json
`,
	flags: {
		...dbFlag,
		...jsonFlag,
		user: {type: 'string', default: ''},
		device: {type: 'string', default: ''},
		since: {type: 'string', default: ''},
		until: {type: 'string', default: ''},
	},
	run(input, flags) {
		if (input.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(input[0])} (filters are flags: --user, --device)`);
		const options: Parameters<typeof timeline>[1] = {since: timeFlag(flags.since), until: timeFlag(flags.until, {endOfDay: true})};
		const db = openForQuery(flags);
		try {
			if (flags.user) {
				const principal = resolvePrincipal(db, flags.user as string, 'timeline');
				if (!principal.ok) return principal.status;
				options.principalArn = principal.value.arn;
			}
			if (flags.device) {
				const device = resolveDevice(db, flags.device as string, 'timeline');
				if (!device.ok) return device.status;
				options.deviceSerial = device.value.serialNumber;
			}
			const entries = timeline(db, options);
			if (flags.json) {
				printJson(entries);
				return 0;
			}
			if (entries.length === 0) {
				out('(nothing in the evidence for this filter)');
				return 0;
			}
			const rows = entries.map(e =>
				e.kind === 'lifecycle'
					? [shortTime(e.eventTime), signInLabel(e.eventName), outcome(e), e.actorNote ? 'AssumeRoot (note)' : principalLabel(e.actor), deviceLabel(e.serialNumber) || (e.cliCommand ? `? ${e.cliCommand}` : '')]
					: [shortTime(e.eventTime), signInStepLabel({eventName: e.eventName, kind: e.signInKind}), signInResult({...e, kind: e.signInKind}), principalLabel(e.principalArn), mfaLabel(e)],
			);
			const notes = entries.flatMap(e => (e.kind === 'lifecycle' && e.actorNote ? wrapText(`${shortTime(e.eventTime)} ${safe(e.eventName)}: ${safe(e.actorNote)}`, 80, '  ') : []));
			out(table(['TIME (UTC)', 'STEP', 'RESULT', 'WHO', 'MFA / DEVICE'], rows, [19, 10, 11, 17, 15]) + (notes.length > 0 ? `\n\nActors in words\n${notes.join('\n')}` : ''));
			return 0;
		} finally {
			db.close();
		}
	},
};
