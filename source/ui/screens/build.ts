import type {SearchHit} from '../../model/search.js';
import type {Zone} from '../clock.js';
import type {ExplorerData, Overview, PivotHit} from '../data.js';
import type {ScreenModel, Target} from '../model.js';
import {deviceModel} from './device.js';
import {eventModel} from './event.js';
import {findingModel, findingsModel, findingsPage} from './findings.js';
import type {Severity} from '../../findings/types.js';
import {chartBuckets, overviewModel} from './overview.js';
import {devicesModel, ipModel, keyModel, keyPage, userAgentModel} from './pivots.js';
import {principalModel} from './principal.js';
import {searchModel} from './search.js';
import {timelineLimit, timelineModel, type TimelineState} from './timeline.js';
import {terminalSafe} from '../../lib/terminal-text.js';

export type View =
	| {screen: 'search'; query: string; focus: 'query' | 'results'; hits: SearchHit[]; pivots: PivotHit[]; hitsFor: string; recalled?: boolean}
	| {screen: 'overview'}
	| {screen: 'principal'; arn: string; moment?: string}
	| {screen: 'device'; deviceId: number}
	| {screen: 'event'; eventId: string; version: number}
	| ({screen: 'timeline'} & TimelineState)
	| {screen: 'findings'; severity?: string}
	| {screen: 'finding'; findingId: number}
	| {screen: 'devices'; state: string}
	| {screen: 'key'; accessKeyId: string; limit: number}
	| {screen: 'ip'; ip: string}
	| {screen: 'user-agent'; userAgent: string};

export interface ScreenContext {
	width: number;
	zone: Zone;
	/** The overview counts, once read (undefined before). */
	overview: Overview | undefined;
	/** The search index is built. */
	indexed: boolean;
}

export function targetView(target: Target): View {
	switch (target.screen) {
		case 'principal':
			return {screen: 'principal', arn: target.arn};
		case 'device':
			return {screen: 'device', deviceId: target.deviceId};
		case 'finding':
			return {screen: 'finding', findingId: target.findingId};
		case 'event':
			return {screen: 'event', eventId: target.eventId, version: 0};
		case 'findings':
			return {screen: 'findings', severity: target.severity};
		case 'devices':
			return {screen: 'devices', state: target.state};
		case 'key':
			return {screen: 'key', accessKeyId: target.accessKeyId, limit: keyPage};
		case 'ip':
			return {screen: 'ip', ip: target.ip};
		case 'user-agent':
			return {screen: 'user-agent', userAgent: target.userAgent};
	}
}

function notFound(screen: ScreenModel['screen'], title: string, what: string): ScreenModel {
	return {screen, title, header: [], panes: [{name: 'Not found', columns: [{title: '', width: 10, flex: true}], rows: [], empty: what}], export: {name: screen, format: 'json', json: null}};
}

/**
 * A screen's model from the data, as the explorer shows it (the explorer and the bench both build
 * screens through here).
 */
export function screenModel(data: ExplorerData, view: View, context: ScreenContext): ScreenModel {
	const {width, zone, indexed} = context;
	switch (view.screen) {
		case 'search':
			// While the next results are coming the last ones stay, marked as such.
			return searchModel(data, view.query, view.hits, context.overview, view.hitsFor !== view.query, indexed ? 1 : data.indexProgress(), view.pivots, view.hitsFor);
		case 'overview':
			return overviewModel(context.overview ? data.summary(chartBuckets(width)) : undefined, context.overview, zone);
		case 'principal': {
			const user = data.principal(view.arn);
			if (!user) return notFound('principal', view.arn, `no principal ${terminalSafe(view.arn)} in this case file`);
			const at = view.moment ? {moment: view.moment, devices: data.devicesAt(view.arn, view.moment)} : undefined;
			return principalModel(user, data.findings({principalArn: view.arn}), data.findingCounts({serials: user.devices.map(d => d.serialNumber)}).serials, {rollup: data.rollup(view.arn), at, geo: data.geo});
		}
		case 'devices':
			return devicesModel(view.state, data.devicesInState(view.state));
		case 'key': {
			const key = data.key(view.accessKeyId);
			if (!key) return notFound('key', `Key ${view.accessKeyId}`, `no access key ${terminalSafe(view.accessKeyId)} in this case file`);
			const calls = data.keyCalls(view.accessKeyId, {limit: view.limit + 1});
			return keyModel(key, calls.slice(0, view.limit), calls.length > view.limit);
		}
		case 'ip': {
			const ip = data.ip(view.ip);
			if (!ip) return notFound('ip', `IP ${view.ip}`, `no event from ${terminalSafe(view.ip)} in this case file`);
			return ipModel(ip, data.geo(view.ip));
		}
		case 'user-agent': {
			const ua = data.userAgent(view.userAgent);
			if (!ua) return notFound('user-agent', 'Agent', `no event with this user agent in this case file`);
			return userAgentModel(ua);
		}
		case 'device': {
			const device = data.device(view.deviceId);
			if (!device) return notFound('device', `device ${view.deviceId}`, 'no such device in this case file');
			return deviceModel(device, data.findings({serialNumber: device.serialNumber}));
		}
		case 'event': {
			const record = data.event(view.eventId);
			if (!record || record.versions.length === 0) return notFound('event', `Event ${view.eventId}`, `no event ${terminalSafe(view.eventId)} in this case file`);
			return eventModel(record, view.version, width - 1);
		}
		case 'timeline': {
			const {subject, failedOnly, since, until} = view;
			const entries = data.timeline({principalArn: subject.principalArn, deviceSerial: subject.deviceSerial, since, until, failedOnly, limit: timelineLimit});
			return timelineModel(view, entries);
		}
		case 'findings': {
			const page = data.findingsPage({severity: view.severity as Severity | undefined, limit: findingsPage});
			return findingsModel(page.findings, view.severity, page.total);
		}
		case 'finding': {
			const finding = data.finding(view.findingId);
			if (!finding) return notFound('finding', `Finding ${view.findingId}`, 'no such finding in this case file');
			return findingModel(finding, data.evidence(finding.eventIds), width);
		}
	}
}

