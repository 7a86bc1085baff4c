import {userView} from '../db/queries.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson, resolvePrincipal} from './query-common.js';
import {lifecycleTable, shortTime, signInTable} from './query-render.js';

export const userCommand: Command = {
	name: 'user',
	summary: 'a principal: its MFA devices with their lifecycles, and its sign-ins',
	help: `
	Usage
	  $ mfatrail user <NAME|ARN> [--db FILE] [--json]

	Shows an IAM user, root user (root, or arn:aws:iam::ACCOUNT:root) or other principal: each MFA
	device it owned with every lifecycle call (who, with which credentials, from where; failed
	calls shown as FAILED and not applied), then its sign-ins.

	Exit status: 0 found, 1 unknown name, 2 the name is ambiguous (candidates are listed).

	Examples
	  $ mfatrail user alice --db case.db
	  $ mfatrail user arn:aws:iam::111122223333:root --json
`,
	flags: {...dbFlag, ...jsonFlag},
	run(input, flags) {
		if (input.length !== 1) throw new Error('name one user: mfatrail user NAME|ARN');
		const db = openForQuery(flags);
		try {
			const resolved = resolvePrincipal(db, input[0], 'user');
			if (!resolved.ok) return resolved.status;
			const view = userView(db, resolved.value.arn)!;
			if (flags.json) {
				printJson(view);
				return 0;
			}
			const p = view.principal;
			const lines = [`${safe(p.displayName ?? p.name ?? p.arn)}  ${safe(p.type)}  account ${safe(p.accountId ?? '?')}`, safe(p.arn), ''];
			lines.push(`MFA devices (${view.devices.length})`);
			for (const d of view.devices) {
				const incarnation = d.incarnation > 1 ? ` (incarnation ${d.incarnation})` : '';
				lines.push(`${safe(d.serialNumber)}${incarnation}`, `  ${safe(d.typeLabel)}, ${safe(d.state)}${d.lastUsed ? `, last used ${shortTime(d.lastUsed)}` : ''}`);
				lines.push(lifecycleTable(d.lifecycle), '');
			}
			if (view.attempts.length > 0) {
				lines.push(`Lifecycle calls naming no known device (${view.attempts.length})`, lifecycleTable(view.attempts), '');
			}
			lines.push(`Sign-ins (${view.logins.length})`, signInTable(view.logins));
			out(lines.join('\n'));
			return 0;
		} finally {
			db.close();
		}
	},
};
