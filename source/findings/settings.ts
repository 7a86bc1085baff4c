/**
 * Every window and threshold of the rules, in one place: its name (as the rules configuration
 * file and the flags spell it), the rules that read it, its default and why it has that value.
 * `mfatrail findings --explain RULE` prints them, the rule reference (docs/findings.md) lists them,
 * and a rules configuration file (--rules-config FILE, for findings and import) sets them.
 */
import fs from 'node:fs';
import {UsageError} from '../lib/errors.js';
import {parseDuration} from '../lib/time.js';
import {defaultThresholds, type Thresholds} from './types.js';

export interface Setting {
	/** As written in a rules configuration file: "burst-window": "10m". */
	name: string;
	field: keyof Thresholds;
	kind: 'duration' | 'count';
	rules: readonly string[];
	/** Why the default has its value. */
	why: string;
}

export const settings: readonly Setting[] = [
	{
		name: 'burst-count',
		field: 'burstCount',
		kind: 'count',
		rules: ['console-login-failure-burst'],
		why: 'a user who mistypes a password fails once or twice; five failures in a row is a guess or a script. Public rules use 5 (Panther root logins), 10 (Elastic root brute force) and 20 (Splunk per user).',
	},
	{
		name: 'burst-window',
		field: 'burstWindowMs',
		kind: 'duration',
		rules: ['console-login-failure-burst'],
		why: 'guessing is fast: the failures of one attempt come within minutes (Splunk counts per 10 minutes); a longer window joins a morning typo to an afternoon one.',
	},
	{
		name: 'spray-users',
		field: 'sprayUsers',
		kind: 'count',
		rules: ['password-spray'],
		why: 'one address failing for five different user names is not one person mistyping (Panther counts 10 users per hour, suzaku 3 failures per address in 5 minutes).',
	},
	{
		name: 'spray-window',
		field: 'sprayWindowMs',
		kind: 'duration',
		rules: ['password-spray'],
		why: 'a spray tries its list within minutes; over hours the same address failing for several users is more likely a shared exit (NAT, VPN).',
	},
	{
		name: 'run-gap',
		field: 'runGapMs',
		kind: 'duration',
		rules: [
			'mfa-added-without-mfa-session',
			'mfa-device-removed',
			'root-mfa-change',
			'failed-login-after-mfa-removal',
			'mfa-step-failure',
			'root-credentials-removed-via-assume-root',
			'mfa-removal-denied',
			'idc-mfa-settings-changed',
		],
		why: 'the calls of one act come minutes apart (create then enable, deactivate then delete: 1 s in AWS\'s examples; an AssumeRoot session lasts 15 minutes); an hour joins them without joining a separate act later in the day.',
	},
	{
		name: 'follow-up',
		field: 'followUpMs',
		kind: 'duration',
		rules: ['mfa-added-without-mfa-session', 'failed-login-after-mfa-removal', 'new-device-first-use', 'mfa-device-replaced', 'root-password-recovery'],
		why: 'what a change leads to (failed sign-ins after a removal, a replacement device, the first use, the sign-in after a password recovery, the MFA session after an add) shows within a working day; GetSessionToken credentials last at most 36 h, and later activity is ordinary use.',
	},
	{
		name: 'denied-lookback',
		field: 'deniedLookbackMs',
		kind: 'duration',
		rules: ['mfa-added-without-mfa-session'],
		why: 'calls denied in the month before an unprotected add, and allowed with MFA after it, show what the new device unlocked; further back they reach unrelated permission changes.',
	},
];

export function settingsOf(rule: string): Setting[] {
	return settings.filter(s => s.rules.includes(rule));
}

/** '10 min', '1 h', '30 d', or a count. */
export function formatSetting(setting: Setting, value: number): string {
	if (setting.kind === 'count') return String(value);
	const units: [number, string][] = [
		[86_400_000, 'd'],
		[3_600_000, 'h'],
		[60_000, 'min'],
		[1000, 's'],
	];
	for (const [ms, unit] of units) if (value % ms === 0) return `${value / ms} ${unit}`;
	return `${value} ms`;
}

/**
 * A rules configuration file: a JSON object of setting names and values, durations as text
 * ("10m", "1h", "30d") and counts as whole numbers: {"burst-count": 3, "run-gap": "30m"}. Unknown
 * names and bad values are refused (usage errors naming the file), so a typo never passes silently.
 */
export function readRulesConfig(file: string, base: Thresholds = defaultThresholds): Thresholds {
	let json: unknown;
	try {
		json = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (error) {
		throw new UsageError(`rules configuration ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
	}
	if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new UsageError(`rules configuration ${file}: expected a JSON object such as {"run-gap": "30m"}`);
	const out = {...base};
	for (const [name, value] of Object.entries(json)) {
		const setting = settings.find(s => s.name === name);
		if (!setting) throw new UsageError(`rules configuration ${file}: unknown setting ${JSON.stringify(name)}; settings: ${settings.map(s => s.name).join(', ')}`);
		if (setting.kind === 'count') {
			if (!Number.isInteger(value) || (value as number) < 1) throw new UsageError(`rules configuration ${file}: ${name} must be a whole number of at least 1, not ${JSON.stringify(value)}`);
			out[setting.field] = value as number;
		} else {
			if (typeof value !== 'string') throw new UsageError(`rules configuration ${file}: ${name} is a duration such as "10m", "1h" or "30d", not ${JSON.stringify(value)}`);
			out[setting.field] = parseDuration(value);
		}
	}
	return out;
}
