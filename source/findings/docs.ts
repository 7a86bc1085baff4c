/** The rules' reference (docs/findings.md) and `--help` text, generated from the rule registry so they stay consistent with it. */
import {rules} from './registry.js';
import {formatSetting, settingsOf} from './settings.js';
import {defaultThresholds} from './types.js';

export const docStart = '<!-- section:findings -->';
export const docEnd = '<!-- /section:findings -->';

export function rulesMarkdown(): string {
	const lines = [
		docStart,
		'# Findings',
		'',
		'Findings are computed from the MFA model at the end of every import and stored in the case file, so',
		'they are there the moment the import ends. A re-import extends or replaces findings (each has a stable',
		'key), it never duplicates them. Each finding is',
		'`{"rule","severity","principal","serialNumber","firstSeen","lastSeen","eventIds","eventCount","summary"}`:',
		'`principal` is the affected principal\'s ARN (root: `arn:aws:iam::ACCOUNT:root`), `eventIds` are the',
		'CloudTrail eventIDs of the evidence (at most 200; `eventCount` says how many there are, and every view',
		'says "200 of N events" when the list is cut), `summary` is one sentence to paste into a report.',
		'A finding about a run of events (a burst, a removal and its deletion) keeps its key, and its triage,',
		'when later imports extend the run earlier or later or join two runs; a triage decision whose finding',
		'the evidence no longer supports is listed by `mfatrail triage --orphaned`.',
		'Where CloudTrail cannot tell something (whether the password or the MFA code failed), the summary says so.',
		'Public rule sets (Sigma, Elastic, Splunk, Panther, Datadog) cover console sign-in without MFA, sign-in',
		'failure bursts, MFA device deactivation/deletion and root MFA changes; the rules below cover those and also the',
		'AWS-2023-001 pattern, FIDO and hardware devices (any serial form), the CheckMfa sequence, Identity',
		'Center MFA failures, devices and settings, AssumeRoot sessions and a device replaced by someone else',
		'("Coverage against public rule sets" below compares them rule by rule).',
		'',
		'```sh',
		'mfatrail findings --db case.db                      # most severe first, then oldest first',
		'mfatrail findings --db case.db --json               # the array',
		'mfatrail findings --rule console-login-failure-burst --since 2024-03-01 --until 7d',
		'mfatrail findings --severity medium                 # medium and high',
		'mfatrail findings --burst-count 3 --burst-window 5m # recompute with other thresholds, stored for later imports',
		'mfatrail findings --spray-users 10 --spray-window 1h # password-spray thresholds, stored the same way',
		'mfatrail findings --explain mfa-device-removed      # a rule, its windows: value, default and why',
		'mfatrail findings --rules-config rules.json         # any window or threshold, {"run-gap": "30m"} (import takes it too)',
		'```',
		'',
		'| rule | severity | title |',
		'|---|---|---|',
		...rules.map(r => `| \`${r.id}\` | ${r.severity} | ${r.title} |`),
		'',
	];
	for (const r of rules) {
		const own = settingsOf(r.id).map(st => `\`${st.name}\` ${formatSetting(st, defaultThresholds[st.field])}: ${st.why}`);
		lines.push(
			`## \`${r.id}\` (${r.severity})`,
			'',
			`- **What it means:** ${r.meaning}`,
			`- **Why it matters:** ${r.whyItMatters}`,
			`- **Known false positives:** ${r.falsePositives}`,
			`- **Windows and thresholds:** ${own.length > 0 ? own.join(' ') : 'none: it fires on the evidence alone.'}`,
			'',
		);
	}
	lines.push(docEnd);
	return lines.join('\n');
}

/** One line per rule for `mfatrail findings --help`. */
export function rulesHelp(): string {
	const width = Math.max(...rules.map(r => r.id.length));
	return rules.map(r => `	  ${r.id.padEnd(width)}  ${r.severity.padEnd(6)}  ${r.title}`).join('\n');
}
