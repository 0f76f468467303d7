/**
 * JSON schemas for the response shapes, read from MX's OpenAPI file without a YAML library: the
 * component schemas the sandbox answers with are flat blocks of `properties` whose entries say
 * `type`, `nullable`, `items` and `$ref`, which a few lines of indentation-aware reading cover.
 * Every schema is closed (`additionalProperties: false`), so a field the spec does not have fails.
 */
import { readFileSync } from 'node:fs';
import { specFile, type SpecVersion } from './specDir.js';

type Schema = Record<string, unknown>;

const specLines = (version: SpecVersion): string[] => readFileSync(specFile(version), 'utf8').split('\n');

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** The lines of `components.schemas.<name>`, without its header line. */
function block(lines: string[], name: string): string[] {
  const start = lines.findIndex((l) => l === `    ${name}:`);
  if (start === -1) throw new Error(`schema ${name} is not in the spec`);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && indentOf(line) <= 4) break;
    out.push(line);
  }
  return out;
}

function scalar(type: string, nullable: boolean): Schema {
  return nullable ? { type: [type, 'null'] } : { type };
}

/** A closed object schema for `name`, with `$ref`s resolved to closed schemas in turn. */
export function specSchema(name: string, version: SpecVersion, lines = specLines(version)): Schema {
  const body = block(lines, name);
  const properties: Record<string, Schema> = {};
  let current: { name: string; type?: string; nullable: boolean; ref?: string; itemsRef?: string; itemsType?: string } | undefined;
  let inItems = false;
  const flush = (): void => {
    if (!current) return;
    if (current.ref) properties[current.name] = specSchema(current.ref, version, lines);
    else if (current.type === 'array') {
      const items = current.itemsRef ? specSchema(current.itemsRef, version, lines) : { type: current.itemsType ?? 'string' };
      properties[current.name] = current.nullable ? { type: ['array', 'null'], items } : { type: 'array', items };
    } else properties[current.name] = scalar(current.type ?? 'string', current.nullable);
  };
  for (const line of body) {
    const indent = indentOf(line);
    const text = line.trim();
    if (indent === 8 && text.endsWith(':')) {
      flush();
      current = { name: text.slice(0, -1), nullable: false };
      inItems = false;
      continue;
    }
    if (!current || indent < 10) continue;
    const [key, ...rest] = text.split(':');
    const value = rest.join(':').trim().replace(/^'|'$/g, '');
    if (indent === 10) inItems = key === 'items';
    if (indent === 10 && key === 'type') current.type = value;
    if (indent === 10 && key === 'nullable') current.nullable = value === 'true';
    if (indent === 10 && key === '$ref') current.ref = value.split('/').pop();
    if (indent === 12 && inItems && key === '$ref') current.itemsRef = value.split('/').pop();
    if (indent === 12 && inItems && key === 'type') current.itemsType = value;
  }
  flush();
  return { type: 'object', properties, additionalProperties: false };
}

/** `schema` with some properties required (the spec marks none, but the lifecycle relies on these). */
export function requiring(schema: Schema, ...names: string[]): Schema {
  return { ...schema, required: names };
}
