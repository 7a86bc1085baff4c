import {UsageError} from '../lib/errors.js';
import {devicesAt, userView} from '../db/queries.js';
import {principalRollup, type Rollup} from '../db/rollup.js';
import {safe} from '../lib/terminal-text.js';
import {dbFlag, jsonFlag, type Command} from './command.js';
import {openForQuery, out, printJson, resolvePrincipal, timeFlag} from './query-common.js';
import {lifecycleTable, shortTime, signInTable, wrapText} from './query-render.js';

const span = (u: {firstSeen: string | null; lastSeen: string | null}) => `${shortTime(u.firstSeen)} … ${shortTime(u.lastSeen)}`;

/** The roll-up in 80 columns: identifiers (IPs, keys, eventIDs, serials) whole, user agents wrapped. */
export function rollupText(r: Rollup): string[] {
	const lines: string[] = [];
	lines.push(`Activity (UTC): ${r.firstSeen ? span(r) : 'no calls in the evidence'}, ${r.eventCount} events`);
	lines.push(...wrapText(`Accounts: ${r.accounts.map(safe).join(' ') || 'none'}`, 80, '  ').map((l, i) => (i === 0 ? l.slice(2) : l)));
	lines.push(...wrapText(`Regions: ${r.regions.map(safe).join(' ') || 'none'}`, 80, '  ').map((l, i) => (i === 0 ? l.slice(2) : l)));
	lines.push(`Source IPs (${r.sourceIPs.length})`);
	for (const ip of r.sourceIPs) lines.push(`  ${safe(ip.ip)}  ${ip.count} calls  ${span(ip)}`);
	lines.push(`User agents (${r.userAgents.length})`);
	for (const ua of r.userAgents) lines.push(`  ${ua.count} calls  ${span(ua)}`, ...wrapText(safe(ua.userAgent), 80, '    '));
	lines.push(`Access keys (${r.keys.length})`);
	for (const k of r.keys) {
		const mfa = k.mfaAuthenticated === null ? (k.kind === 'long-term' ? 'no session' : 'MFA not logged') : k.mfaAuthenticated ? 'MFA' : 'no MFA';
		lines.push(`  ${safe(k.accessKeyId)}  ${k.kind}  ${mfa}  ${k.count} calls${k.denied ? `, ${k.denied} denied` : ''}`, `    ${span(k)}`);
	}
	lines.push(`Denied calls (${r.deniedCount}${r.deniedCount > r.denied.length ? `, newest ${r.denied.length}` : ''})`);
	for (const d of r.denied) {
		lines.push(`  ${shortTime(d.eventTime)}  ${safe(d.eventName ?? '')}  ${safe(d.errorCode ?? '')}`, `    ${safe(d.eventId)}`);
	}
	lines.push(`Sign-ins by result: ${r.signIns.byResult.map(b => `${safe(b.result)} ${b.count}`).join(', ') || 'none'}`);
	if (r.signIns.byDevice.length > 0) {
		lines.push('Sign-ins by device');
		for (const d of r.signIns.byDevice) {
			lines.push(`  ${d.success} succeeded, ${d.failure} failed`, ...wrapText(d.mfaIdentifier ? safe(d.mfaIdentifier) : '(no device named)', 80, '    '));
		}
	}
	return lines;
}

export const userCommand: Command = {
	name: 'user',
	summary: 'a principal: its MFA devices with their lifecycles, and its sign-ins',
	help: `
	Usage
	  $ mfatrail user <NAME|ARN> [--at TIME] [--db FILE] [--json]

	Shows an IAM user, root user (root, or arn:aws:iam::ACCOUNT:root) or other principal: each MFA
	device it owned with every lifecycle call (who, with which credentials, from where; failed
	calls shown as FAILED and not applied), then its sign-ins, then a roll-up of everything it did:
	first and last seen, accounts, regions, source IPs, user agents, access keys (long-term and
	session, with their MFA status), denied calls, sign-ins by result and by device.

	--at TIME   which MFA devices it had at that moment, and in which state (enabled; in use, its
	            start before the evidence; start unknown). TIME: 2023-02-14T10:00:00Z, 2023-02-14, ...

	Exit status: 0 found, 1 unknown name, 2 the name is ambiguous (candidates are listed).

	Examples
	  $ mfatrail user alice --db case.db
	  $ mfatrail user arn:aws:iam::111122223333:root --json
	  $ mfatrail user alice --at 2023-02-14T10:05:00Z
`,
	flags: {...dbFlag, ...jsonFlag, at: {type: 'string', default: ''}},
	run(input, flags) {
		if (input.length !== 1) throw new UsageError('name one user: mfatrail user NAME|ARN');
		const db = openForQuery(flags);
		try {
			const resolved = resolvePrincipal(db, input[0], 'user');
			if (!resolved.ok) return resolved.status;
			const view = userView(db, resolved.value.arn)!;
			const rollup = principalRollup(db, resolved.value.arn)!;
			const at = timeFlag(flags.at);
			const atMoment = at ? {at, devices: devicesAt(db, resolved.value.arn, at)} : undefined;
			if (flags.json) {
				printJson({...view, rollup, ...(atMoment ? {devicesAt: atMoment} : {})});
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
			lines.push(`Sign-ins (${view.logins.length})`, signInTable(view.logins), '');
			lines.push(...rollupText(rollup));
			if (atMoment) {
				lines.push('', `MFA devices at ${shortTime(atMoment.at)} UTC (${atMoment.devices.length})`);
				for (const d of atMoment.devices) {
					const state = d.stateAt === 'enabled' ? 'enabled' : d.stateAt === 'in-use' ? 'in use (seen only in sign-ins)' : 'assigned, start before the evidence';
					lines.push(`  ${safe(d.serialNumber)}${d.incarnation > 1 ? ` (incarnation ${d.incarnation})` : ''}`, `    ${state}`);
				}
			}
			out(lines.join('\n'));
			return 0;
		} finally {
			db.close();
		}
	},
};
