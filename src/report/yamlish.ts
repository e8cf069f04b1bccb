/**
 * YAML diagnostics that every TAP reader can read: the subset ("YAMLish")
 * that Perl's TAP::Parser::YAMLish::Reader (behind `prove`) understands is
 * also plain YAML 1.2, so node's tap-parser reads the same values.
 *
 * That reader knows block mappings and sequences, `~`, `[]`, `{}`, plain
 * scalars, single-line '...' and "..." scalars (escapes \\ \" \n \r \t \xHH),
 * and bare `|` block scalars. It refuses quoted scalars that span lines and
 * has no `|-`, `|+` or indentation indicators, so a string is written as:
 * plain when YAML would not read it as anything but that string; as a `|`
 * block when it has several lines of printable text (the readers then give
 * it one trailing line break); else single-quoted, or double-quoted with
 * escapes, always on one line.
 */

const STEP = '  ';

/** The lines of one YAMLish document (`---` to `...`), each prefixed by `indent`. */
export function yamlishDocument(value: Readonly<Record<string, unknown>>, indent: string): string[] {
  const body = mapping(value, indent, new Set());
  return [`${indent}---`, ...(body.length > 0 ? body : [`${indent}{}`]), `${indent}...`];
}

function mapping(obj: Readonly<Record<string, unknown>>, indent: string, seen: Set<object>): string[] {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || typeof v === 'function') continue;
    lines.push(...entry(`${indent}${key(k)}:`, v, indent + STEP, seen));
  }
  return lines;
}

/** `prefix` is `key:` or `-`; nested content goes at `inner`. */
function entry(prefix: string, v: unknown, inner: string, seen: Set<object>): string[] {
  if (v !== null && typeof v === 'object') {
    if (seen.has(v)) return [`${prefix} '[circular]'`];
    seen.add(v);
    try {
      if (Array.isArray(v)) {
        if (v.length === 0) return [`${prefix} []`];
        return [prefix, ...v.flatMap((item) => entry(`${inner}-`, item === undefined ? null : item, inner + STEP, seen))];
      }
      const body = mapping(v as Record<string, unknown>, inner, seen);
      return body.length > 0 ? [prefix, ...body] : [`${prefix} {}`];
    } finally {
      seen.delete(v);
    }
  }
  if (typeof v === 'string' && isBlock(v)) {
    const text = v.endsWith('\n') ? v.slice(0, -1) : v;
    // An empty line is written as the indentation alone: the Perl reader ends a block at a shallower line.
    return [`${prefix} |`, ...text.split('\n').map((l) => inner + l)];
  }
  return [`${prefix} ${scalar(v)}`];
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return '~';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : quoted(String(v));
  return text(typeof v === 'string' ? v : String(v));
}

function key(k: string): string {
  return /^[A-Za-z_][\w.-]*$/.test(k) ? k : doubleQuoted(k);
}

/** Printable characters as YAML defines them, without tab (the Perl reader takes a leading tab for indentation). */
const PRINTABLE_LINE = /^[\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

function isBlock(s: string): boolean {
  if (!s.includes('\n')) return false;
  const body = s.endsWith('\n') ? s.slice(0, -1) : s;
  const lines = body.split('\n');
  // A first line that starts with a space would need an indentation indicator;
  // a trailing empty line would be chomped by YAML's `|` but kept by Perl's.
  if (/^\s/.test(lines[0]!) || lines[lines.length - 1] === '') return false;
  return lines.every((l) => PRINTABLE_LINE.test(l));
}

/** Plain when the string reads back as the same string in YAML 1.2 core and in the Perl reader. */
function text(s: string): string {
  const plain =
    s !== '' &&
    PRINTABLE_LINE.test(s) &&
    !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(s) &&
    !/\s$/.test(s) &&
    !/: |:$| #/.test(s) &&
    !/^([-+]?[.\d]|~$|null$|true$|false$|yes$|no$|on$|off$|y$|n$|\.inf$|\.nan$)/i.test(s);
  if (plain) return s;
  return quoted(s);
}

function quoted(s: string): string {
  return PRINTABLE_LINE.test(s) ? `'${s.replace(/'/g, "''")}'` : doubleQuoted(s);
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One line, every character outside PRINTABLE_LINE escaped. \xHH for C0
 * controls and DEL, which both readers decode; \uXXXX for the rare others
 * (C1 controls, lone surrogates), which YAML decodes and Perl shows as text.
 */
function doubleQuoted(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ESCAPES[ch] !== undefined) out += ESCAPES[ch];
    else if (PRINTABLE_LINE.test(ch)) out += ch;
    else {
      const code = ch.codePointAt(0)!;
      out += code <= 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    }
  }
  return `"${out}"`;
}
