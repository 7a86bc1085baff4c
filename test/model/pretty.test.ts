import {describe, expect, it} from 'vitest';
import {prettyJson} from '../../source/commands/event.js';

describe('prettyJson', () => {
	it('re-indents without touching the text of values', () => {
		const raw = '{"a":1.0,"b":"caf\\u00e9 \\"x\\"","c":[],"d":{},"e":[1e5,true,null],"f":{"g":"h"}}';
		const pretty = prettyJson(raw)!;
		expect(pretty).toContain('"a": 1.0');
		expect(pretty).toContain('"b": "caf\\u00e9 \\"x\\""');
		expect(pretty).toContain('"c": []');
		expect(pretty).toContain('1e5');
		expect(JSON.parse(pretty)).toEqual(JSON.parse(raw));
	});

	it('shows hidden characters inside strings as JSON escapes of the same characters', () => {
		const raw = '{"userName":"admin\u202e\u200bx"}';
		const pretty = prettyJson(raw)!;
		expect(pretty).toContain('admin\\u202e\\u200bx');
		expect(JSON.parse(pretty)).toEqual(JSON.parse(raw));
	});

	it('gives up on text that is not JSON', () => {
		expect(prettyJson('{"a":"unterminated')).toBeUndefined();
		expect(prettyJson('{"a":1}}')).toBeUndefined();
	});
});
