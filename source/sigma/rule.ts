/**
 * Sigma rule files (YAML, one or several documents each) read into detection and correlation
 * rules. A rule this cannot evaluate over CloudTrail is listed with the reason, never dropped:
 * another log source, a modifier or construct the evaluator lacks, a correlation whose rules are
 * missing. YAML is read by the `yaml` package (eemeli/yaml: pure JS, YAML 1.2).
 */
import fs from 'node:fs';
import path from 'node:path';
import {parseAllDocuments} from 'yaml';
import {compileDetection, Unsupported, type CompiledDetection} from './detection.js';
import {parseCorrelation, type CorrelationSpec} from './correlation.js';

export type Level = 'informational' | 'low' | 'medium' | 'high' | 'critical';
const levels: Level[] = ['informational', 'low', 'medium', 'high', 'critical'];

/** What a match must credit (the Detection Rule License asks for the author and a link) and show. */
export interface RuleMeta {
	id: string;
	/** The `name` correlations may refer to it by. */
	name: string | null;
	title: string;
	level: Level;
	author: string | null;
	description: string | null;
	references: string[];
	tags: string[];
	/** The `license` field, when the rule carries one. */
	license: string | null;
	/** The file it came from, as given (absolute when a folder was saved with the case). */
	path: string;
}

export interface DetectionRule extends RuleMeta {
	kind: 'detection';
	detection: CompiledDetection;
}

export interface CorrelationRule extends RuleMeta {
	kind: 'correlation';
	correlation: CorrelationSpec;
}

export type SigmaRule = DetectionRule | CorrelationRule;

export interface UnsupportedRule {
	path: string;
	reason: string;
}

export interface RuleSet {
	rules: SigmaRule[];
	unsupported: UnsupportedRule[];
}

/** The record fields the case file can select candidates by (source/db/event-scan.ts). */
export type PinFields = ReadonlySet<string>;

/** Every .yml/.yaml file under the paths (files as given, folders walked in name order); missing paths are reported. */
export function ruleFiles(paths: string[], missing: (path: string, reason: string) => void = () => {}): string[] {
	const out: string[] = [];
	const walk = (p: string) => {
		const stat = fs.statSync(p);
		if (stat.isDirectory()) {
			for (const name of fs.readdirSync(p).sort()) {
				const child = path.join(p, name);
				if (fs.statSync(child).isDirectory() || /\.ya?ml$/i.test(name)) walk(child);
			}
		} else out.push(p);
	};
	for (const p of paths) {
		try {
			walk(p);
		} catch (error) {
			missing(p, `cannot read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
		}
	}
	return out;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

function meta(doc: Record<string, unknown>, file: string): RuleMeta {
	const level = String(doc.level ?? 'medium').toLowerCase() as Level;
	return {
		id: text(doc.id) ?? text(doc.name) ?? '',
		name: text(doc.name),
		title: text(doc.title) ?? '(untitled)',
		level: levels.includes(level) ? level : 'medium',
		author: text(doc.author),
		description: text(doc.description),
		references: list(doc.references),
		tags: list(doc.tags),
		license: text(doc.license),
		path: file,
	};
}

/** Reads rule files: detection rules for AWS CloudTrail and correlation rules over them. */
export function loadRules(paths: string[], pinFields: PinFields = new Set()): RuleSet {
	const rules: SigmaRule[] = [];
	const unsupported: UnsupportedRule[] = [];
	const pending: {meta: RuleMeta; body: unknown}[] = [];
	for (const file of ruleFiles(paths, (path, reason) => unsupported.push({path, reason}))) {
		let documents;
		try {
			documents = parseAllDocuments(fs.readFileSync(file, 'utf8'));
		} catch (error) {
			unsupported.push({path: file, reason: `cannot read: ${(error as Error).message}`});
			continue;
		}
		const list = Array.isArray(documents) ? documents : [documents];
		for (const [i, document] of list.entries()) {
			const where = list.length > 1 ? `${file} (document ${i + 1})` : file;
			if (document.errors.length > 0) {
				unsupported.push({path: where, reason: `YAML error: ${document.errors[0]!.message.split('\n')[0]}`});
				continue;
			}
			const doc = document.toJS() as unknown;
			if (doc === null || doc === undefined) continue;
			if (typeof doc !== 'object' || Array.isArray(doc)) {
				unsupported.push({path: where, reason: 'not a Sigma rule (the document is not a map)'});
				continue;
			}
			const d = doc as Record<string, unknown>;
			const m = meta(d, where);
			try {
				if (d.action !== undefined) throw new Unsupported(`rule collection action '${String(d.action)}' (Sigma 1.0 multi-document collections)`);
				if (d.correlation !== undefined) {
					// Nothing refers to a correlation without id or name: it is known by its file.
					if (!m.id) m.id = path.basename(where).replace(/\.ya?ml\b/i, '');
					pending.push({meta: m, body: d.correlation});
					continue;
				}
				if (d.filter !== undefined && d.detection === undefined) throw new Unsupported('Sigma filter (meta filter) documents are not applied');
				if (d.detection === undefined) throw new Unsupported('no detection section');
				const logsource = (d.logsource ?? {}) as Record<string, unknown>;
				const product = String(logsource.product ?? '').toLowerCase();
				const service = String(logsource.service ?? '').toLowerCase();
				if (product !== 'aws' || service !== 'cloudtrail') {
					throw new Unsupported(`logsource is ${JSON.stringify({product: logsource.product ?? null, service: logsource.service ?? null, category: logsource.category ?? null})}, not product aws / service cloudtrail`);
				}
				if (!m.id) throw new Unsupported('rule without id');
				const twin = rules.find(r => r.id === m.id);
				if (twin) throw new Unsupported(`id ${m.id} is already the id of ${twin.path}`);
				rules.push({...m, kind: 'detection', detection: compileDetection(d.detection, pinFields)});
			} catch (error) {
				if (!(error instanceof Unsupported)) throw error;
				unsupported.push({path: where, reason: error.message});
			}
		}
	}
	// Correlations last: they refer to rules by id or name, possibly in other files.
	const known = new Map<string, SigmaRule>();
	for (const r of rules) {
		known.set(r.id, r);
		if (r.name) known.set(r.name, r);
	}
	for (const {meta: m, body} of pending) {
		try {
			const twin = rules.find(r => r.id === m.id);
			if (twin) throw new Unsupported(`id ${m.id} is already the id of ${twin.path}`);
			const correlation = parseCorrelation(body);
			for (const ref of correlation.rules) {
				const target = known.get(ref);
				if (!target) {
					const correlationRef = pending.some(p => p.meta.id === ref || p.meta.name === ref);
					throw new Unsupported(correlationRef ? `refers to correlation rule '${ref}': chained correlations are not evaluated` : `refers to rule '${ref}', which is not loaded`);
				}
			}
			for (const [alias, byRule] of Object.entries(correlation.aliases)) {
				for (const ruleName of Object.keys(byRule)) {
					if (!correlation.rules.some(r => r === ruleName || known.get(r)?.name === ruleName || known.get(r)?.id === ruleName)) {
						throw new Unsupported(`alias '${alias}' names rule '${ruleName}', which the correlation does not refer to`);
					}
				}
			}
			const rule: CorrelationRule = {...m, kind: 'correlation', correlation: {...correlation, rules: correlation.rules.map(r => known.get(r)!.id)}};
			rules.push(rule);
		} catch (error) {
			if (!(error instanceof Unsupported)) throw error;
			unsupported.push({path: m.path, reason: error.message});
		}
	}
	return {rules, unsupported};
}
