/**
 * Renders a local HTML file in the system's headless Chromium (Debian's chromium package; nothing
 * is downloaded) and reports what happened: a PNG screenshot, every console message and error, and
 * every network request the page made. It drives the browser over the DevTools protocol on a pipe
 * (--remote-debugging-pipe: fd 3 in, fd 4 out, NUL-terminated JSON), so no port is opened.
 */
import {spawn} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {pathToFileURL} from 'node:url';
import zlib from 'node:zlib';
import type {Readable, Writable} from 'node:stream';

export const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(p => fs.existsSync(p));

export interface RenderResult {
	png: Buffer;
	/** Console messages and log entries at warning level or above, and uncaught exceptions. */
	problems: string[];
	/** Every request URL other than the page itself. */
	requests: string[];
	/** The page's text, as the DOM has it after load. */
	text: string;
}

interface Message {
	id?: number;
	method?: string;
	params?: Record<string, any>;
	result?: Record<string, any>;
	error?: {message: string};
	sessionId?: string;
}

export async function renderInChromium(file: string, {width = 1000, height = 1400, fullPage = false, y = 0}: {width?: number; height?: number; fullPage?: boolean; y?: number} = {}): Promise<RenderResult> {
	if (!chromiumPath) throw new Error('chromium is not installed');
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mfatrail-chromium-'));
	const child = spawn(
		chromiumPath,
		[
			'--headless',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
			'--disable-extensions',
			'--disable-default-apps',
			'--hide-scrollbars',
			'--font-render-hinting=none',
			`--user-data-dir=${profile}`,
			'--remote-debugging-pipe',
			'about:blank',
		],
		{stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe']},
	);
	let stderr = '';
	child.stderr!.on('data', (chunk: Buffer) => {
		stderr += chunk.toString();
	});
	const toBrowser = child.stdio[3] as Writable;
	const fromBrowser = child.stdio[4] as Readable;
	let nextId = 1;
	const waiting = new Map<number, {resolve(v: Record<string, any>): void; reject(e: Error): void}>();
	const listeners: ((m: Message) => void)[] = [];
	let buffered = Buffer.alloc(0);
	fromBrowser.on('data', (chunk: Buffer) => {
		buffered = Buffer.concat([buffered, chunk]);
		for (let end; (end = buffered.indexOf(0)) >= 0; ) {
			const message = JSON.parse(buffered.subarray(0, end).toString('utf8')) as Message;
			buffered = buffered.subarray(end + 1);
			if (message.id !== undefined && waiting.has(message.id)) {
				const w = waiting.get(message.id)!;
				waiting.delete(message.id);
				if (message.error) w.reject(new Error(message.error.message));
				else w.resolve(message.result ?? {});
			} else for (const l of listeners) l(message);
		}
	});
	const exited = new Promise<void>(resolve => child.once('exit', () => resolve()));
	child.once('exit', () => {
		for (const w of waiting.values()) w.reject(new Error(`chromium exited: ${stderr.slice(-2000)}`));
		waiting.clear();
	});
	const send = (method: string, params: Record<string, unknown> = {}, sessionId?: string) =>
		new Promise<Record<string, any>>((resolve, reject) => {
			const id = nextId++;
			waiting.set(id, {resolve, reject});
			toBrowser.write(`${JSON.stringify({id, method, params, ...(sessionId ? {sessionId} : {})})}\0`);
		});

	const problems: string[] = [];
	const requests: string[] = [];
	const url = pathToFileURL(path.resolve(file)).href;
	let loaded: () => void = () => {};
	const load = new Promise<void>(resolve => {
		loaded = resolve;
	});
	listeners.push(m => {
		const p = m.params ?? {};
		if (m.method === 'Runtime.consoleAPICalled') problems.push(`console.${p.type}: ${JSON.stringify(p.args?.map((a: {value?: unknown; description?: string}) => a.value ?? a.description))}`);
		if (m.method === 'Runtime.exceptionThrown') problems.push(`exception: ${JSON.stringify(p.exceptionDetails)}`);
		if (m.method === 'Log.entryAdded' && p.entry.level !== 'verbose' && p.entry.level !== 'info') problems.push(`log ${p.entry.level} (${p.entry.source}): ${p.entry.text} ${p.entry.url ?? ''}`);
		if (m.method === 'Network.requestWillBeSent' && p.request.url !== url) requests.push(p.request.url as string);
		if (m.method === 'Page.loadEventFired') loaded();
	});

	const timeout = setTimeout(() => child.kill('SIGKILL'), 60_000);
	try {
		const {targetId} = await send('Target.createTarget', {url: 'about:blank'});
		const {sessionId} = await send('Target.attachToTarget', {targetId, flatten: true});
		for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await send(`${domain}.enable`, {}, sessionId);
		await send('Emulation.setDeviceMetricsOverride', {width, height, deviceScaleFactor: 1, mobile: false}, sessionId);
		await send('Page.navigate', {url}, sessionId);
		await load;
		// Let late work (a lazily loaded resource, a deferred console message) surface before looking.
		await new Promise(resolve => setTimeout(resolve, 300));
		const {result} = await send('Runtime.evaluate', {expression: 'document.body ? document.body.innerText : ""', returnByValue: true}, sessionId);
		const shot = await send('Page.captureScreenshot', {format: 'png', captureBeyondViewport: fullPage || y > 0, ...(fullPage ? {} : {clip: {x: 0, y, width, height, scale: 1}})}, sessionId);
		await send('Browser.close').catch(() => undefined);
		await exited;
		return {png: Buffer.from(shot.data as string, 'base64'), problems, requests, text: String(result.value ?? '')};
	} finally {
		clearTimeout(timeout);
		if (child.exitCode === null) child.kill('SIGKILL');
		fs.rmSync(profile, {recursive: true, force: true});
	}
}

/** Decodes an 8-bit RGB or RGBA PNG (what Chromium's screenshots are) into its pixels. */
export function decodePng(png: Buffer): {width: number; height: number; channels: number; pixels: Buffer} {
	if (png.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
	let at = 8;
	let width = 0;
	let height = 0;
	let channels = 0;
	const data: Buffer[] = [];
	while (at < png.length) {
		const length = png.readUInt32BE(at);
		const type = png.toString('latin1', at + 4, at + 8);
		const body = png.subarray(at + 8, at + 8 + length);
		if (type === 'IHDR') {
			width = body.readUInt32BE(0);
			height = body.readUInt32BE(4);
			const depth = body[8];
			const colour = body[9];
			if (depth !== 8 || (colour !== 2 && colour !== 6) || body[12] !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colour}, interlace ${body[12]}`);
			channels = colour === 6 ? 4 : 3;
		} else if (type === 'IDAT') data.push(body);
		else if (type === 'IEND') break;
		at += 12 + length;
	}
	const raw = zlib.inflateSync(Buffer.concat(data));
	const stride = width * channels;
	const pixels = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)];
		const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		for (let x = 0; x < stride; x++) {
			const a = x >= channels ? pixels[y * stride + x - channels] : 0;
			const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
			const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
			let value = line[x];
			if (filter === 1) value += a;
			else if (filter === 2) value += b;
			else if (filter === 3) value += (a + b) >> 1;
			else if (filter === 4) {
				const p = a + b - c;
				const pa = Math.abs(p - a);
				const pb = Math.abs(p - b);
				const pc = Math.abs(p - c);
				value += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
			}
			pixels[y * stride + x] = value & 0xff;
		}
	}
	return {width, height, channels, pixels};
}
