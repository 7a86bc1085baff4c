import {Box, Text, useApp, useInput, useStdout, type Key} from 'ink';
import {useEffect, useReducer, useRef, useState} from 'react';
import {parseTimeArgument} from '../lib/time.js';
import {breadcrumbLine, Frame, listHeight} from './components/Frame.js';
import {Help, helpLength} from './components/Help.js';
import {triagePromptLine, triageSubject, useTriagePrompt, withTriage, type TriagePromptState, type TriageSubject} from './components/TriagePrompt.js';
import type {SearchHit} from '../model/search.js';
import {pivotShape, searchLimit, type ExplorerData, type PivotHit} from './data.js';
import {formatTime, parseShownTime, type Zone} from './clock.js';
import {keyPage} from './screens/pivots.js';
import {exportView} from './export.js';
import {bindingFor, type Action} from './keymap.js';
import {rowIdentifier, type ScreenModel, type Target} from './model.js';
import {parseQuery} from './screens/search.js';
import {colourEnabled} from './theme.js';
import {truncateStart} from './text.js';
import {terminalSafe} from '../lib/terminal-text.js';
import {useSize} from './use-size.js';
import {screenModel, targetView, type View} from './screens/build.js';

export type {View};

interface Entry {
	view: View;
	pane: number;
	cursors: number[];
	/** Panes whose selection the user moved; the others start on their first row that opens something. */
	moved?: boolean[];
}

/** The selected row of an entry's pane: where the user put it, else the first row that opens something (not a heading). */
function cursorOf(e: Entry, model: ScreenModel): number {
	const at = e.cursors[e.pane] ?? 0;
	if (e.moved?.[e.pane] || at !== 0) return at;
	const pane = model.panes[Math.min(e.pane, model.panes.length - 1)];
	if (pane.text) return at;
	const first = pane.rows.findIndex(r => r.target);
	return first > 0 && pane.rows.slice(0, first).every(r => r.span) ? first : 0;
}

interface State {
	stack: Entry[];
	/** The help overlay's first line while it is open, else false. */
	help: number | false;
	status: string;
	/** A one-line prompt while it is open: the timeline's range, or the moment for devices-at (`@`). */
	prompt?: {kind: 'range' | 'moment'; text: string};
	zone: Zone;
	/** The last query searched: `/` brings it back. */
	lastQuery: string;
	/** What the triage prompt marks, while it is open. */
	triage?: TriageSubject;
}

export interface AppProps {
	data: ExplorerData;
	initialQuery?: string;
	/** Where `e` writes files. */
	exportDir: string;
	/** Milliseconds the search waits for more keystrokes; only the last query of a burst runs. */
	debounceMs?: number;
	/** Writes control sequences to the terminal (OSC 52 for `y`); defaults to Ink's stdout. */
	writeTerminal?: (sequence: string) => void;
	/** Opens this on top of the overview (`mfatrail explore --open …`, tests). */
	open?: Target;
}

/**
 * OSC 52 "set clipboard": the value made terminal-safe first (evidence may hold control characters
 * that would run in the shell it is pasted into), then base64 (so nothing in it reaches the terminal).
 */
export function osc52(value: string): string {
	return `\u001b]52;c;${Buffer.from(terminalSafe(value), 'utf8').toString('base64')}\u0007`;
}

const maxDepth = 50;

function entry(view: View): Entry {
	return {view, pane: 0, cursors: [0, 0, 0, 0]};
}

function searchView(query: string, focus: 'query' | 'results' = 'query'): View {
	return {screen: 'search', query, focus, hits: [], pivots: [], hitsFor: ''};
}

export function App({data, initialQuery = '', exportDir, debounceMs = 40, writeTerminal, open: openFirst}: AppProps) {
	const {exit} = useApp();
	const {stdout} = useStdout();
	const size = useSize();
	const width = size.columns;
	const height = Math.max(3, size.rows - 1);
	const colour = colourEnabled();
	// State lives in a ref so that several keys arriving in one tick each see the previous one's effect.
	// With no query the overview comes first (the lay of the land); a query opens its search.
	const first = [entry(initialQuery ? searchView(initialQuery) : {screen: 'overview'}), ...(openFirst ? [entry(targetView(openFirst))] : [])];
	const state = useRef<State>({stack: first, help: false, status: '', zone: 'utc', lastQuery: initialQuery});
	const [, rerender] = useReducer((n: number) => n + 1, 0);
	const models = useRef(new WeakMap<View, {width: number; zone: Zone; generation: number; model: ScreenModel}>());
	/** Bumped when the overview or the search index arrives: cached search screens are stale then. */
	const generation = useRef(0);
	const [indexed, setIndexed] = useState(false);
	const overview = useRef<ReturnType<ExplorerData['overview']> | undefined>(undefined);
	const searchTimer = useRef<NodeJS.Timeout | undefined>(undefined);
	const searchSlice = useRef<NodeJS.Immediate | undefined>(undefined);
	const quitting = useRef(false);

	const update = (change: (s: State) => State) => {
		state.current = change(state.current);
		rerender();
	};
	const top = () => state.current.stack[state.current.stack.length - 1];
	const replaceTop = (s: State, change: (e: Entry) => Entry): State => ({...s, stack: [...s.stack.slice(0, -1), change(s.stack[s.stack.length - 1])]});

	function modelOf(view: View): ScreenModel {
		const cached = models.current.get(view);
		const zone = state.current.zone;
		const widthMatters = view.screen === 'event' || view.screen === 'finding' || view.screen === 'overview';
		const fresh = cached && (!widthMatters || cached.width === width) && cached.zone === zone && ((view.screen !== 'search' && view.screen !== 'overview') || cached.generation === generation.current);
		if (cached && fresh) return cached.model;
		const model = withTriage(buildModel(view), data, view);
		models.current.set(view, {width, zone, generation: generation.current, model});
		return model;
	}

	function buildModel(view: View): ScreenModel {
		return screenModel(data, view, {width, zone: state.current.zone, overview: overview.current, indexed});
	}

	// After the first frame: count the overview, then build the search index a chunk at a time,
	// yielding between chunks so keys typed meanwhile still show on the search line.
	useEffect(() => {
		let timer: NodeJS.Immediate | undefined;
		let chunks = 0;
		// Once built, single-character queries are answered ahead in the same idle slices.
		const warm = () => {
			if (!data.warmStep()) timer = setImmediate(warm);
		};
		const step = () => {
			if (data.indexStep()) {
				generation.current++;
				setIndexed(true);
				timer = setImmediate(warm);
				return;
			}
			// The progress figure is redrawn now and then, not after every chunk.
			if (++chunks % 8 === 0) {
				generation.current++;
				rerender();
			}
			timer = setImmediate(step);
		};
		timer = setImmediate(() => {
			overview.current = data.overview();
			generation.current++;
			rerender();
			timer = setImmediate(step);
		});
		return () => clearImmediate(timer);
	}, []);

	// Search runs after the keystrokes stop for debounceMs: a burst of keys costs one search, and
	// only the latest query runs (a timer, never a queue). Until the index is built it waits. It runs
	// in two slices, names (in memory) then keys/IPs/agents/eventIDs (index ranges), with input
	// handled between them; a key typed meanwhile changes the query, and the stale slice is dropped.
	const current = top();
	const pendingQuery = current.view.screen === 'search' && current.view.hitsFor !== current.view.query ? current.view.query : undefined;
	useEffect(() => {
		if (pendingQuery === undefined || !indexed) return;
		clearTimeout(searchTimer.current);
		clearImmediate(searchSlice.current);
		const stillWanted = () => {
			const e = top();
			return e.view.screen === 'search' && e.view.query === pendingQuery;
		};
		searchTimer.current = setTimeout(() => {
			if (!stillWanted()) return;
			const {text, kind} = parseQuery(pendingQuery);
			let hits: SearchHit[] = [];
			let status = '';
			try {
				hits = text ? data.search(text, {limit: searchLimit, kind}) : [];
			} catch (error) {
				status = `search failed: ${terminalSafe((error as Error).message)}`;
			}
			searchSlice.current = setImmediate(() => {
				if (!stillWanted()) return;
				let pivots: PivotHit[] = [];
				try {
					pivots = text && !kind ? data.pivotSearch(text, 50) : [];
					// A CIDR prefix is a place to go to itself, above the addresses it covers.
					if (pivotShape(text) === 'cidr' && !pivots.some(p => p.id === text)) pivots = [{kind: 'ip', id: text, count: null, firstSeen: null, lastSeen: null}, ...pivots];
				} catch (error) {
					status ||= `search failed: ${terminalSafe((error as Error).message)}`;
				}
				update(s => ({...replaceTop(s, en => ({...en, view: {...(en.view as Extract<View, {screen: 'search'}>), hits, pivots, hitsFor: pendingQuery}, cursors: [0, 0, 0, 0]})), status, lastQuery: pendingQuery.trim() ? pendingQuery : s.lastQuery}));
			});
		}, debounceMs);
	}, [pendingQuery, indexed]);
	useEffect(() => () => clearImmediate(searchSlice.current), []);
	useEffect(() => () => clearTimeout(searchTimer.current), []);

	function quit() {
		if (quitting.current) return;
		quitting.current = true;
		exit();
	}

	const triagePrompt = useTriagePrompt({
		isActive: () => state.current.triage !== undefined,
		onSubmit: saveTriage,
		onCancel: () => update(s => ({...s, triage: undefined, status: 'triage unchanged'})),
		onInterrupt: quit,
	});

	function saveTriage(choice: TriagePromptState) {
		const subject = state.current.triage;
		if (!subject) return;
		const label = terminalSafe(subject.label);
		try {
			const entry = data.setTriage({...subject.target, status: choice.status, note: choice.note});
			models.current = new WeakMap(); // every screen showing a status is stale now
			update(s => ({...s, triage: undefined, status: `${label}: ${entry.oldStatus} → ${entry.newStatus}${entry.note ? ', note saved' : ''}`}));
		} catch (error) {
			update(s => ({...s, triage: undefined, status: `triage not saved: ${terminalSafe((error as Error).message)}`}));
		}
	}

	function push(view: View) {
		update(s => ({...s, status: '', stack: [...s.stack, entry(view)].slice(-maxDepth)}));
	}

	function open(target: Target) {
		push(targetView(target));
	}

	function back() {
		update(s => {
			if (s.stack.length > 1) return {...s, status: '', stack: s.stack.slice(0, -1)};
			const e = s.stack[0];
			if (e.view.screen === 'search') return replaceTop(s, en => ({...en, view: {...(en.view as Extract<View, {screen: 'search'}>), focus: 'query'}}));
			return s;
		});
	}

	function move(action: Action, model: ScreenModel, e: Entry) {
		const pane = model.panes[Math.min(e.pane, model.panes.length - 1)];
		const length = pane.rows.length;
		const page = listHeight(model, height, e.view.screen === 'search' ? 1 : 0, width, e.pane, state.current.zone);
		const last = pane.text ? Math.max(0, length - page) : Math.max(0, length - 1);
		const at = cursorOf(e, model);
		const next = {up: at - 1, down: at + 1, pageUp: at - page, pageDown: at + page, top: 0, bottom: last}[action as 'up'];
		if (next === undefined) return;
		// The key screen pages its calls: moving past the last one read reads the next page.
		if (e.view.screen === 'key' && pane.note && (action === 'down' || action === 'pageDown' || action === 'bottom') && next >= last && (at === last || action === 'bottom')) {
			const view = e.view;
			update(s => ({...replaceTop(s, en => ({...en, view: {...view, limit: view.limit + keyPage}, cursors: en.cursors.map((c, i) => (i === en.pane ? Math.min(next, length) : c))})), status: `reading ${keyPage} more calls`}));
			return;
		}
		const clamped = Math.max(0, Math.min(last, next));
		update(s => replaceTop(s, en => ({...en, cursors: en.cursors.map((c, i) => (i === en.pane ? clamped : c)), moved: Object.assign([...(en.moved ?? [])], {[en.pane]: true})})));
	}

	function handlePrompt(input: string, key: Key) {
		const prompt = state.current.prompt!;
		const text = prompt.text;
		const setText = (t: string) => update(s => ({...s, prompt: {...prompt, text: t}}));
		if (key.escape) return update(s => ({...s, prompt: undefined, status: prompt.kind === 'range' ? 'range unchanged' : 'moment unchanged'}));
		if (key.backspace || key.delete) return setText(text.slice(0, -1));
		if (key.return) return prompt.kind === 'range' ? applyRange(text) : applyMoment(text);
		const typed = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
		if (typed && !key.ctrl && !key.meta) setText(text + typed);
	}

	function applyRange(text: string) {
		const parts = text.trim().split(/\s+|\.\./).filter(Boolean);
		try {
			const since = parts[0] ? parseTimeArgument(parts[0]) : undefined;
			const until = parts[1] ? parseTimeArgument(parts[1]) : undefined;
			update(s => ({
				...replaceTop(s, en => ({...en, cursors: [0, 0, 0, 0], view: {...(en.view as Extract<View, {screen: 'timeline'}>), since, until}})),
				prompt: undefined,
				status: since ? `range ${since} .. ${until ?? 'now'}` : 'range cleared',
			}));
		} catch (error) {
			update(s => ({...s, prompt: undefined, status: terminalSafe((error as Error).message)}));
		}
	}

	/** `@`: the moment typed in the shown zone ('2023-02-14 10:03'), or any time argument ('7d', ISO). */
	function applyMoment(text: string) {
		const zone = state.current.zone;
		let moment: string | undefined;
		try {
			moment = text.trim() ? (parseShownTime(text, zone) ?? parseTimeArgument(text.trim())) : undefined;
		} catch (error) {
			return update(s => ({...s, prompt: undefined, status: terminalSafe((error as Error).message)}));
		}
		update(s => ({
			...replaceTop(s, en => ({...en, pane: 0, cursors: [0, 0, 0, 0, 0, 0], view: {...(en.view as Extract<View, {screen: 'principal'}>), moment}})),
			prompt: undefined,
			status: moment ? `devices at ${formatTime(moment, zone)} ${zone === 'utc' ? 'UTC' : 'local'}` : 'moment cleared',
		}));
	}

	/** The selected row of the current list pane, if any. */
	function selectedRow(model: ScreenModel, e: Entry) {
		const pane = model.panes[Math.min(e.pane, model.panes.length - 1)];
		return pane.text ? undefined : pane.rows[cursorOf(e, model)];
	}

	function pivot(kind: 'principal' | 'key' | 'ip', model: ScreenModel, e: Entry) {
		const row = selectedRow(model, e);
		const value = row?.pivots?.[kind] ?? model.pivots?.[kind];
		const what = {principal: 'principal', key: 'access key', ip: 'source IP'}[kind];
		if (!value) return update(st => ({...st, status: `no ${what} known for ${row ? 'this row' : 'this screen'}`}));
		if (kind === 'principal') return push({screen: 'principal', arn: value});
		if (kind === 'key') return push({screen: 'key', accessKeyId: value, limit: keyPage});
		return push({screen: 'ip', ip: value});
	}

	function copy(model: ScreenModel, e: Entry) {
		const value = rowIdentifier(selectedRow(model, e)) ?? model.copy;
		if (!value) return update(st => ({...st, status: 'nothing to copy here'}));
		const write = writeTerminal ?? ((seq: string) => stdout.write(seq));
		write(osc52(value));
		const shown = terminalSafe(value);
		update(st => ({...st, status: shown.length + 28 <= width ? `copied (OSC 52): ${shown}` : `copied ${shown.length} characters (OSC 52)`}));
	}

	useInput((input, key) => {
		if (triagePrompt.tookKey() || state.current.triage) return; // the triage prompt's (its handler runs first)
		// Keys repeated or sent together (a held j or Backspace, tmux send-keys Tab Tab) can arrive as
		// one chunk. Outside a text line each character is its own keystroke; on the search line or a
		// prompt a run of printable text stays text (a paste), and each control character between runs
		// (Backspace, Tab, Enter) is its own keystroke.
		const typingNow = (top().view.screen === 'search' && (top().view as {focus: string}).focus === 'query') || state.current.prompt !== undefined;
		if (input.length > 1 && !input.includes('\u001b')) {
			const pieces = typingNow ? (input.match(/[^\u0000-\u001f\u007f-\u009f]+|[\s\S]/g) ?? []) : [...input];
			for (const piece of pieces) {
				if (state.current.triage) return; // a chunk's keys after the one that opened the prompt
				const control = piece.length === 1 ? piece : '';
				handleKey(piece, {...key, tab: control === '\t', return: control === '\r', delete: control === '\u007f' || control === '\b', backspace: false, ctrl: control === '\u0003', shift: control !== '' && control !== control.toLowerCase()});
			}
			return;
		}
		handleKey(input, key);
	});

	function handleKey(rawInput: string, key: Key) {
		if (state.current.triage) return; // a chunk's keys after the one that opened the prompt
		const input = rawInput === '\u0003' ? 'c' : rawInput;
		if (key.ctrl && input === 'c') return quit();
		const s = state.current;
		if (s.help !== false) {
			// The overlay scrolls (↓ j PgDn space); any other key closes it.
			const scroll = key.downArrow || key.pageDown || input === 'j' || input === ' ' ? 5 : key.upArrow || key.pageUp || input === 'k' ? -5 : 0;
			const help = s.help;
			return update(st => ({...st, help: scroll ? Math.max(0, Math.min(helpLength(top().view.screen, width) - (height - 2), help + scroll)) : false}));
		}
		if (s.prompt !== undefined) return handlePrompt(input, key);
		const e = top();
		const view = e.view;
		const typing = view.screen === 'search' && view.focus === 'query';
		const binding = bindingFor(view.screen, input, key, typing);
		if (typing && view.screen === 'search') {
			if (binding?.action === 'back') {
				if (key.escape) {
					if (view.query) return update(st => replaceTop(st, en => ({...en, view: searchView('')})));
					return back();
				}
				if (view.query) return update(st => replaceTop(st, en => ({...en, view: {...view, query: view.query.slice(0, -1), recalled: false}})));
				return back();
			}
			if (binding?.action === 'pane') return update(st => replaceTop(st, en => ({...en, view: {...view, focus: 'results'}})));
			if (!binding) {
				// A paste (or keys typed before the app started) arrives as one chunk: keep its printable text.
				const text = input.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
				// A recalled query is replaced by what is typed first (as a selected search field is).
				if (text && !key.ctrl && !key.meta) update(st => replaceTop(st, en => ({...en, view: {...view, query: view.recalled ? text : view.query + text, recalled: false}})));
				return;
			}
		}
		if (!binding) return;
		const model = modelOf(view);
		const pane = model.panes[Math.min(e.pane, model.panes.length - 1)];
		switch (binding.action) {
			case 'quit':
			case 'interrupt':
				return quit();
			case 'help':
				return update(st => ({...st, help: 0}));
			case 'up':
			case 'down':
			case 'pageUp':
			case 'pageDown':
			case 'top':
			case 'bottom':
				return move(binding.action, model, e);
			case 'open': {
				const row = pane.text ? undefined : pane.rows[cursorOf(e, model)];
				if (row?.target) open(row.target);
				return;
			}
			case 'back':
				return back();
			case 'search':
				if (view.screen === 'search') return update(st => replaceTop(st, en => ({...en, view: {...view, focus: 'query'}})));
				// The last search comes back, ready to run again or to edit.
				return push({...(searchView(s.lastQuery) as Extract<View, {screen: 'search'}>), recalled: Boolean(s.lastQuery)});
			case 'pane':
				if (view.screen === 'search') return update(st => replaceTop(st, en => ({...en, view: {...view, focus: 'query'}})));
				if (view.screen === 'event') {
					const versions = data.event(view.eventId)?.versions.length ?? 1;
					return update(st => replaceTop(st, en => ({...en, cursors: [0, 0, 0, 0], view: {...view, version: (view.version + 1) % Math.max(1, versions)}})));
				}
				return update(st => replaceTop(st, en => ({...en, pane: (en.pane + 1) % model.panes.length})));
			case 'timeline': {
				let subject = model.timelineSubject;
				if (view.screen === 'search') {
					const hit = view.hits[(e.cursors[0] ?? 0) - view.pivots.length];
					if (hit) subject = hit.kind === 'principal' ? {principalArn: hit.id, label: hit.label} : {deviceSerial: hit.id, label: hit.label};
				}
				if (subject) push({screen: 'timeline', subject, failedOnly: false});
				return;
			}
			case 'failed':
				if (view.screen === 'timeline') update(st => ({...replaceTop(st, en => ({...en, cursors: [0, 0, 0, 0], view: {...view, failedOnly: !view.failedOnly}})), status: view.failedOnly ? 'all events' : 'failed sign-ins only'}));
				return;
			case 'range':
				if (view.screen === 'timeline') update(st => ({...st, prompt: {kind: 'range', text: ''}}));
				return;
			case 'owner':
				return pivot('principal', model, e);
			case 'key':
				return pivot('key', model, e);
			case 'ip':
				return pivot('ip', model, e);
			case 'overview':
				if (view.screen !== 'overview') push({screen: 'overview'});
				return;
			case 'copy':
				return copy(model, e);
			case 'zone':
				return update(st => ({...st, zone: st.zone === 'utc' ? 'local' : 'utc', status: st.zone === 'utc' ? 'times in local time' : 'times in UTC'}));
			case 'moment': {
				if (view.screen !== 'principal') return;
				const rowTime = selectedRow(model, e)?.time ?? view.moment;
				return update(st => ({...st, prompt: {kind: 'moment', text: rowTime ? formatTime(rowTime, st.zone) : ''}}));
			}
			case 'findings':
				if (view.screen !== 'findings') push({screen: 'findings'});
				return;
			case 'triage': {
				const subject = triageSubject(data, view, pane.text ? undefined : pane.rows[e.cursors[e.pane] ?? 0]?.target);
				if (!subject) return update(st => ({...st, status: 'nothing to triage here: select a finding'}));
				triagePrompt.open({status: data.triage(subject.target).status, note: ''});
				return update(st => ({...st, triage: subject}));
			}
			case 'export':
				try {
					// The full path, its end (the file name) kept when the line is too narrow for all of it.
					const file = terminalSafe(exportView(model, exportDir));
					update(st => ({...st, status: `wrote ${truncateStart(file, width - 'wrote '.length)}`}));
				} catch (error) {
					update(st => ({...st, status: `export failed: ${terminalSafe((error as Error).message)}`}));
				}
				return;
		}
	}

	const s = state.current;
	const e = top();
	const model = modelOf(e.view);
	const breadcrumb = s.stack.map(en => modelOf(en.view).title);
	if (s.help !== false) {
		return (
			<Box flexDirection="column" height={height}>
				<Text wrap="truncate">{breadcrumbLine(breadcrumb, width)}</Text>
				<Help screen={e.view.screen} width={width} height={height - 1} offset={s.help} />
			</Box>
		);
	}
	const searchLine = e.view.screen === 'search' ? [`/ ${terminalSafe(e.view.query)}${e.view.focus === 'query' ? '█' : ''}`] : [];
	const hint = e.view.screen === 'search' && e.view.focus === 'query' && e.view.recalled ? 'last search: type to replace it · Backspace edits · Enter open · Tab results' : e.view.screen === 'search' && e.view.focus === 'query' ? 'type to search · ↑↓ select · Enter open · Tab results · Esc clear · Ctrl-C quit' : '? help · / search · Enter open · Esc back · q quit';
	const promptLabel = s.prompt?.kind === 'moment' ? `devices at (YYYY-MM-DD HH:MM ${s.zone === 'utc' ? 'UTC' : 'local'}; empty clears): ` : 'range (SINCE [UNTIL], e.g. 2024-03-01 2024-03-08 or 7d; empty clears): ';
	const status = s.triage ? triagePromptLine(triagePrompt.state, s.triage.label, width) : s.prompt !== undefined ? `${promptLabel}${terminalSafe(s.prompt.text)}█` : s.status || hint;
	return (
		<Frame
			model={model}
			breadcrumb={breadcrumb}
			width={width}
			height={height}
			pane={e.pane}
			cursor={cursorOf(e, model)}
			colour={colour}
			top={searchLine}
			status={status}
			listFocus
			zone={s.zone}
		/>
	);
}
