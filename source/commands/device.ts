import {UsageError} from '../lib/errors.js';
import {deviceView} from '../db/queries.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson, resolveDevice} from './query-common.js';
import {lifecycleTable, shortTime, signInTable} from './query-render.js';

export const deviceCommand: Command = {
	name: 'device',
	summary: 'an MFA device by serial or name: owner, state, lifecycle, sign-ins',
	help: `
	Usage
	  $ mfatrail device <SERIAL|NAME> [--db FILE] [--json]

	A serial reused after deletion has several incarnations: the latest is shown and the others
	listed; pick one with SERIAL#N.

	Exit status: 0 found, 1 unknown, 2 the name matches several devices (candidates are listed).

	Examples
	  $ mfatrail device arn:aws:iam::111122223333:mfa/alice --db case.db
	  $ mfatrail device GAHT12345678 --json
`,
	flags: {...dbFlag, ...jsonFlag},
	run(input, flags) {
		if (input.length !== 1) throw new UsageError('name one device: mfatrail device SERIAL|NAME');
		const db = openForQuery(flags);
		try {
			const resolved = resolveDevice(db, input[0], 'device');
			if (!resolved.ok) return resolved.status;
			const view = deviceView(db, resolved.value.id)!;
			if (flags.json) {
				printJson(view);
				return 0;
			}
			const lines = [
				`${safe(view.serialNumber)}${view.incarnation > 1 ? ` (incarnation ${view.incarnation})` : ''}`,
				`  name ${safe(view.name ?? '')}, ${safe(view.typeLabel)}, ${safe(view.state)}`,
				`  owner ${safe(view.owner ?? 'unknown')}${view.creator && view.creator !== view.owner ? ` (created by ${safe(view.creator)})` : ''}`,
				`  created ${shortTime(view.createdAt) || 'before the evidence (unknown)'}${view.lastUsed ? `, last used ${shortTime(view.lastUsed)}` : ''}`,
			];
			for (const o of view.otherIncarnations) {
				lines.push(`  also #${o.incarnation} (${safe(o.state)}): ${shortTime(o.createdAt) || 'start unknown'} to ${shortTime(o.deletedAt) || 'end unknown'}`);
			}
			lines.push('', 'Lifecycle', lifecycleTable(view.lifecycle), '', `Sign-ins (${view.logins.length})`, signInTable(view.logins, {principal: true}));
			if (view.mfaUses.length > 0) lines.push('', `STS calls with this device (${view.mfaUses.length})`, signInTable(view.mfaUses, {principal: true}));
			out(lines.join('\n'));
			return 0;
		} finally {
			db.close();
		}
	},
};
