import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parse} from 'yaml';
import {compileDetection, SigmaEvent, Unsupported} from '../../source/sigma/detection.js';
import {loadRules} from '../../source/sigma/rule.js';
import {useTempDirs} from '../temp-dirs.js';

/** A detection written as a rule author would (YAML), compiled. */
function detection(yaml: string) {
	const compiled = compileDetection(parse(yaml));
	return (record: unknown) => compiled.matches(new SigmaEvent(record));
}

const realdata = path.join(import.meta.dirname, '..', 'fixtures', 'realdata');
const tempDir = useTempDirs();

describe('traps a naive evaluator gets wrong', () => {
	it("MFAUsed \"No\" (as CloudTrail writes it) matches a rule written 'NO': matching is case-insensitive", () => {
		// A real console sign-in without MFA (Stratus Red Team's technique record).
		const text = fs.readFileSync(path.join(realdata, 'native', 'stratus-red-team', 'aws.initial-access.console-login-without-mfa.json'), 'utf8');
		const records = (JSON.parse(text) as {Records?: unknown[]}).Records ?? (JSON.parse(text) as unknown[]);
		const login = (records as Record<string, any>[]).find(r => r.eventName === 'ConsoleLogin')!;
		expect(login.additionalEventData.MFAUsed).toBe('No');
		const rule = detection(`
selection:
    eventName: 'ConsoleLogin'
    additionalEventData.MFAUsed: 'NO'
    responseElements.ConsoleLogin: 'Success'
condition: selection`);
		expect(rule(login)).toBe(true);
		expect(rule({...login, additionalEventData: {MFAUsed: 'Yes'}})).toBe(false);
		const cased = detection(`
selection:
    additionalEventData.MFAUsed|cased: 'NO'
condition: selection`);
		expect(cased(login)).toBe(false);
		expect(cased({additionalEventData: {MFAUsed: 'NO'}})).toBe(true);
	});

	it('a * inside a value is a wildcard for any run of characters, ? for exactly one', () => {
		const rule = detection(`
selection:
    userAgent: 'aws-cli/2.*Python/3.?'
condition: selection`);
		expect(rule({userAgent: 'aws-cli/2.15.0 Python/3.9'})).toBe(true);
		expect(rule({userAgent: 'aws-cli/2. Python/3.9'})).toBe(true);
		expect(rule({userAgent: 'aws-cli/2.15.0 Python/3.11'})).toBe(false);
		expect(rule({userAgent: 'aws-cli/1.15.0 Python/3.9'})).toBe(false);
	});

	it('an escaped \\* is a literal star, \\\\* a backslash then a wildcard, and other backslashes are themselves', () => {
		const star = detection(String.raw`
selection:
    requestParameters.policyName: 'Allow\*'
condition: selection`);
		expect(star({requestParameters: {policyName: 'Allow*'}})).toBe(true);
		expect(star({requestParameters: {policyName: 'AllowAll'}})).toBe(false);
		const backslashThenWildcard = detection(String.raw`
selection:
    path: 'C:\\*'
condition: selection`);
		expect(backslashThenWildcard({path: 'C:\\Windows'})).toBe(true);
		expect(backslashThenWildcard({path: 'C:Windows'})).toBe(false);
		const plain = detection(String.raw`
selection:
    path: 'C:\Windows\System32'
condition: selection`);
		expect(plain({path: 'C:\\Windows\\System32'})).toBe(true);
	});

	it('a field missing from the record does not match a value, so "not" of it is true; null matches only the missing or null field', () => {
		const rule = detection(`
selection:
    eventName: 'ListBuckets'
filter:
    userIdentity.type: 'AssumedRole'
condition: selection and not filter`);
		expect(rule({eventName: 'ListBuckets'})).toBe(true);
		expect(rule({eventName: 'ListBuckets', userIdentity: {type: 'AssumedRole'}})).toBe(false);
		const wildcardUnderNot = detection(`
selection:
    eventName: 'CreateInstanceExportTask'
filter:
    errorMessage|contains: '*'
condition: selection and not filter`);
		expect(wildcardUnderNot({eventName: 'CreateInstanceExportTask'})).toBe(true);
		expect(wildcardUnderNot({eventName: 'CreateInstanceExportTask', errorMessage: ''})).toBe(false);
		const nulls = detection(`
selection:
    errorCode: null
condition: selection`);
		expect(nulls({})).toBe(true);
		expect(nulls({errorCode: null})).toBe(true);
		expect(nulls({errorCode: 'AccessDenied'})).toBe(false);
		expect(nulls({errorCode: ''})).toBe(false);
	});
});

describe('modifiers', () => {
	it('contains, startswith, endswith and all', () => {
		const rule = detection(`
selection:
    userAgent|contains|all:
        - 'S3 Browser'
        - '10.'
    eventName|startswith: 'Put'
    eventSource|endswith: '.amazonaws.com'
condition: selection`);
		expect(rule({userAgent: 's3 browser 10.9', eventName: 'PutUserPolicy', eventSource: 'iam.amazonaws.com'})).toBe(true);
		expect(rule({userAgent: 'S3 Browser 9.5', eventName: 'PutUserPolicy', eventSource: 'iam.amazonaws.com'})).toBe(false);
		expect(rule({userAgent: 'S3 Browser 10.9', eventName: 'DeleteUserPolicy', eventSource: 'iam.amazonaws.com'})).toBe(false);
		expect(rule({userAgent: 'S3 Browser 10.9', eventName: 'PutUserPolicy', eventSource: 'iam.amazonaws.com.evil'})).toBe(false);
	});

	it('re is case-sensitive unless i; m and s change ^ $ and .', () => {
		expect(detection(`{s: {userIdentity.arn|re: ':assumed-role/aws:'}, condition: s}`)({userIdentity: {arn: 'arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1'}})).toBe(true);
		expect(detection(`{s: {userIdentity.arn|re: ':ASSUMED-ROLE/'}, condition: s}`)({userIdentity: {arn: 'arn:aws:sts::1:assumed-role/x'}})).toBe(false);
		expect(detection(`{s: {userIdentity.arn|re|i: ':ASSUMED-ROLE/'}, condition: s}`)({userIdentity: {arn: 'arn:aws:sts::1:assumed-role/x'}})).toBe(true);
		expect(detection(`{s: {m|re: '^b$'}, condition: s}`)({m: 'a\nb'})).toBe(false);
		expect(detection(`{s: {m|re|m: '^b$'}, condition: s}`)({m: 'a\nb'})).toBe(true);
		expect(detection(`{s: {m|re: 'a.b'}, condition: s}`)({m: 'a\nb'})).toBe(false);
		expect(detection(`{s: {m|re|s: 'a.b'}, condition: s}`)({m: 'a\nb'})).toBe(true);
	});

	it('cidr (IPv4 and IPv6), exists, and the numeric comparisons', () => {
		const cidr = detection(`{s: {sourceIPAddress|cidr: ['10.0.0.0/8', '2001:db8::/32']}, condition: s}`);
		expect(cidr({sourceIPAddress: '10.1.2.3'})).toBe(true);
		expect(cidr({sourceIPAddress: '2001:db8:0:1::5'})).toBe(true);
		expect(cidr({sourceIPAddress: '11.1.2.3'})).toBe(false);
		expect(cidr({sourceIPAddress: 'AWS Internal'})).toBe(false);
		expect(detection(`{s: {errorCode|exists: true}, condition: s}`)({errorCode: null})).toBe(true);
		expect(detection(`{s: {errorCode|exists: true}, condition: s}`)({})).toBe(false);
		expect(detection(`{s: {errorCode|exists: false}, condition: s}`)({})).toBe(true);
		const bytes = (mod: string, n: number) => detection(`{s: {additionalEventData.bytesTransferredOut|${mod}: ${n}}, condition: s}`);
		const record = {additionalEventData: {bytesTransferredOut: 1000}};
		expect([bytes('lt', 1000)(record), bytes('lte', 1000)(record), bytes('gt', 999)(record), bytes('gte', 1001)(record)]).toEqual([false, true, true, false]);
		expect(bytes('gt', 5)({additionalEventData: {bytesTransferredOut: '10'}})).toBe(true);
		expect(bytes('gt', 5)({})).toBe(false);
	});

	it('base64 and base64offset find an encoded value, windash every dash spelling', () => {
		const userData = Buffer.from('#!/bin/bash\ncurl http://169.254.169.254/latest/meta-data/iam').toString('base64');
		expect(detection(`{s: {requestParameters.userData|base64offset|contains: 'curl http://169.254.169.254'}, condition: s}`)({requestParameters: {userData}})).toBe(true);
		expect(detection(`{s: {requestParameters.userData|base64offset|contains: 'wget'}, condition: s}`)({requestParameters: {userData}})).toBe(false);
		expect(detection(`{s: {v|base64: 'hello'}, condition: s}`)({v: 'aGVsbG8='})).toBe(true);
		const windash = detection(`{s: {cmd|windash|contains: ' -enc '}, condition: s}`);
		expect(windash({cmd: 'powershell /enc abc'})).toBe(true);
		expect(windash({cmd: 'powershell \u2013enc abc'})).toBe(true);
		expect(windash({cmd: 'powershell enc abc'})).toBe(false);
	});

	it('fieldref compares two fields of the record; neq negates', () => {
		const self = detection(`{s: {userIdentity.userName|fieldref: requestParameters.userName}, condition: s}`);
		expect(self({userIdentity: {userName: 'Alice'}, requestParameters: {userName: 'alice'}})).toBe(true);
		expect(self({userIdentity: {userName: 'alice'}, requestParameters: {userName: 'bob'}})).toBe(false);
		expect(detection(`{s: {errorCode|neq: AccessDenied}, condition: s}`)({errorCode: 'ThrottlingException'})).toBe(true);
		expect(detection(`{s: {errorCode|neq: AccessDenied}, condition: s}`)({errorCode: 'accessdenied'})).toBe(false);
	});

	it('time modifiers read the UTC parts of a date field', () => {
		const night = detection(`{s: {eventTime|hour|lt: 6}, condition: s}`);
		expect(night({eventTime: '2024-03-01T03:15:00Z'})).toBe(true);
		expect(night({eventTime: '2024-03-01T13:15:00Z'})).toBe(false);
		expect(detection(`{s: {eventTime|month: 3}, condition: s}`)({eventTime: '2024-03-01T03:15:00Z'})).toBe(true);
	});
});

describe('searches and conditions', () => {
	it('nested paths, lists of maps (OR), lists of values (OR), flattened dotted keys', () => {
		const rule = detection(`
selection:
    - userIdentity.sessionContext.sessionIssuer.type: Role
    - eventName:
        - StopLogging
        - DeleteTrail
condition: selection`);
		expect(rule({userIdentity: {sessionContext: {sessionIssuer: {type: 'Role'}}}})).toBe(true);
		expect(rule({eventName: 'DeleteTrail'})).toBe(true);
		expect(rule({'userIdentity.sessionContext.sessionIssuer.type': 'Role'})).toBe(true);
		expect(rule({eventName: 'UpdateTrail'})).toBe(false);
		// Arrays along the path fan out.
		const command = detection(`{s: {requestParameters.containerDefinitions.command|contains: '$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'}, condition: s}`);
		expect(command({requestParameters: {containerDefinitions: [{command: ['sh', '-c', 'curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI']}]}})).toBe(true);
	});

	it('keywords search every value of the record; |all needs each', () => {
		const any = detection(`
keywords:
    - 'TruffleHog'
    - 'pacu'
condition: keywords`);
		expect(any({userAgent: 'Boto3 Pacu/1.0'})).toBe(true);
		expect(any({userAgent: 'aws-cli'})).toBe(false);
		const all = detection(`
keywords:
    '|all':
        - 'GetObject'
        - 'Allow'
condition: keywords`);
		expect(all({requestParameters: {policyDocument: '{"Effect":"Allow","Action":"s3:GetObject"}'}})).toBe(true);
		expect(all({requestParameters: {policyDocument: '{"Effect":"Deny","Action":"s3:GetObject"}'}})).toBe(false);
	});

	it('and binds tighter than or; not tighter than and; parentheses; 1 of, all of, them (not _names)', () => {
		const records = {a: {x: 'a'}, b: {y: 'b'}, c: {z: 'c'}, ab: {x: 'a', y: 'b'}, none: {}};
		const searches = `sel_a: {x: a}\nsel_b: {y: b}\nsel_c: {z: c}\n_helper: {w: never}\n`;
		const verdicts = (condition: string) => {
			const rule = detection(`${searches}condition: '${condition}'`);
			return Object.fromEntries(Object.entries(records).map(([k, r]) => [k, rule(r)]));
		};
		expect(verdicts('sel_a or sel_b and sel_c')).toEqual({a: true, b: false, c: false, ab: true, none: false});
		expect(verdicts('(sel_a or sel_b) and not sel_c')).toEqual({a: true, b: true, c: false, ab: true, none: false});
		expect(verdicts('not sel_a and sel_b')).toEqual({a: false, b: true, c: false, ab: false, none: false});
		expect(verdicts('1 of sel_*')).toEqual({a: true, b: true, c: true, ab: true, none: false});
		expect(verdicts('all of sel_*')).toEqual({a: false, b: false, c: false, ab: false, none: false});
		expect(verdicts('1 of them')).toEqual({a: true, b: true, c: true, ab: true, none: false});
		expect(verdicts('all of them')).toEqual({a: false, b: false, c: false, ab: false, none: false});
		expect(detection(`${searches}condition: [sel_c, sel_b]`)(records.b)).toBe(true);
	});

	it('what cannot be evaluated is refused with the reason', () => {
		const reason = (yaml: string) => {
			try {
				compileDetection(parse(yaml));
				return 'compiled';
			} catch (error) {
				expect(error).toBeInstanceOf(Unsupported);
				return (error as Error).message;
			}
		};
		expect(reason(`{s: {x|expand: '%admins%'}, condition: s}`)).toMatch(/expand.*processing pipeline/);
		expect(reason(`{s: {x|frobnicate: 1}, condition: s}`)).toMatch(/unknown modifier 'frobnicate'/);
		expect(reason(`{s: {x: 1}, condition: 's | count() by y > 5'}`)).toMatch(/aggregation/);
		expect(reason(`{s: {x: 1}, condition: 's and t'}`)).toMatch(/'t' is not a search identifier/);
		expect(reason(`{s: {x: 1}, condition: '(s'}`)).toMatch(/parenthes|ends too early/);
		expect(reason(`{s: {x|all: only}, condition: s}`)).toMatch(/single value/);
		expect(reason(`{s: {x|utf16le: abc}, condition: s}`)).toMatch(/without base64/);
	});
});

describe('rule files', () => {
	it('other log sources, YAML errors and missing rules of a correlation are listed with the reason; --strict-worthy', () => {
		const dir = tempDir();
		fs.writeFileSync(path.join(dir, 'windows.yml'), 'title: W\nid: w\nlogsource: {product: windows, category: process_creation}\ndetection: {s: {Image: x}, condition: s}\n');
		fs.writeFileSync(path.join(dir, 'broken.yml'), 'title: [unclosed\n');
		fs.writeFileSync(path.join(dir, 'corr.yml'), 'title: C\nid: c\ncorrelation: {type: event_count, rules: [nope], group-by: [x], timespan: 1h, condition: {gte: 2}}\n');
		fs.writeFileSync(path.join(dir, 'ok.yaml'), 'title: OK\nid: ok\nlevel: high\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: X}, condition: s}\n');
		fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a rule');
		fs.writeFileSync(path.join(dir, 'twin.yml'), 'title: Twin\nid: ok\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: Y}, condition: s}\n');
		const set = loadRules([dir, path.join(dir, 'missing')]);
		expect(set.rules.map(r => r.id)).toEqual(['ok']);
		const reasons = Object.fromEntries(set.unsupported.map(u => [path.basename(u.path), u.reason]));
		expect(reasons['windows.yml']).toMatch(/logsource .*windows.*not product aws \/ service cloudtrail/);
		expect(reasons['broken.yml']).toMatch(/YAML error/);
		expect(reasons['corr.yml']).toMatch(/refers to rule 'nope', which is not loaded/);
		expect(reasons.missing).toMatch(/cannot read: ENOENT/);
		expect(reasons['twin.yml']).toBe(`id ok is already the id of ${path.join(dir, 'ok.yaml')}`);
		expect(Object.keys(reasons)).not.toContain('notes.txt');
	});
});
