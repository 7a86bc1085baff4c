import type {Finding} from '../data.js';
import {shortArn, shortTime, type Pane, type Row, type ScreenModel, type Target} from '../model.js';

const columns = [
	{title: 'severity', width: 8},
	{title: 'rule', width: 24},
	{title: 'last seen', width: 19},
	{title: 'summary', width: 30, flex: true},
];

function findingRow(f: Finding, target?: Target): Row {
	return {cells: [f.severity, f.rule, shortTime(f.lastSeen), f.summary], target, marker: true};
}

/** The findings section of the principal and device screens (rows open the first evidence event). */
export function findingsPane(findings: Finding[]): Pane {
	return {
		name: `Findings ${findings.length}`,
		columns,
		rows: findings.map(f => findingRow(f, f.eventIds[0] ? {screen: 'event', eventId: f.eventIds[0]} : undefined)),
		empty: 'no finding',
	};
}

/** The findings screen: every finding; rows open the device, else the principal, else the evidence. */
export function findingsModel(findings: Finding[], deviceIdFor: (serial: string) => number | undefined): ScreenModel {
	const target = (f: Finding): Target | undefined => {
		const deviceId = f.serialNumber ? deviceIdFor(f.serialNumber) : undefined;
		if (deviceId !== undefined) return {screen: 'device', deviceId};
		if (f.principal) return {screen: 'principal', arn: f.principal};
		return f.eventIds[0] ? {screen: 'event', eventId: f.eventIds[0]} : undefined;
	};
	return {
		screen: 'findings',
		title: 'Findings',
		header: [],
		panes: [
			{
				name: `Findings ${findings.length}`,
				columns: [{title: 'severity', width: 8}, {title: 'rule', width: 30}, {title: 'principal / serial', width: 22}, {title: 'summary', width: 20, flex: true}],
				rows: findings.map(f => ({cells: [f.severity, f.rule, shortArn(f.serialNumber ?? f.principal), f.summary], target: target(f), marker: true})),
				empty: 'no findings in this case file (or findings have not been computed)',
			},
		],
		export: {name: 'findings', format: 'csv', json: findings},
	};
}
