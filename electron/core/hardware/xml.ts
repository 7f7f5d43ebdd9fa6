// A small XML reader for nvidia-smi's `-q -x` documents (elements, attributes, text; no namespaces).
// No XML dependency is installed and these documents are plain, so a strict ~80-line reader is enough;
// malformed input throws ToolOutputError rather than returning half a tree.
import { ToolOutputError } from './units.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : Number(e.slice(1))) : (ENTITIES[e.toLowerCase()] ?? ''),
  );
}

export function parseXml(input: string): XmlElement {
  const root: XmlElement = { name: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlElement[] = [root];
  const tag = /<(\/?)([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<![^>]*>/g;
  let last = 0;
  for (let m = tag.exec(input); m; m = tag.exec(input)) {
    const top = stack[stack.length - 1]!;
    const between = input.slice(last, m.index);
    if (between.includes('<')) throw new ToolOutputError(`malformed XML near offset ${last + between.indexOf('<')}`);
    top.text += decode(between);
    last = tag.lastIndex;
    if (m[5] !== undefined) top.text += m[5];
    if (!m[2]) continue; // declaration, comment, DOCTYPE
    if (m[1]) {
      if (top.name !== m[2]) throw new ToolOutputError(`malformed XML: </${m[2]}> closes <${top.name}>`);
      top.text = top.text.trim();
      stack.pop();
      continue;
    }
    const el: XmlElement = { name: m[2], attrs: attributes(m[3] ?? ''), children: [], text: '' };
    top.children.push(el);
    if (!m[4]) stack.push(el);
  }
  const rest = input.slice(last);
  if (rest.includes('<') || stack.length !== 1) throw new ToolOutputError(`malformed XML: ${stack.length > 1 ? `<${stack[stack.length - 1]!.name}> is never closed` : 'stray markup at the end'}`);
  if (root.children.length !== 1) throw new ToolOutputError(root.children.length === 0 ? 'not an XML document (no root element)' : 'malformed XML: more than one root element');
  return root.children[0]!;
}

function attributes(src: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of src.matchAll(/([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) out[m[1]!] = decode(m[2] ?? m[3] ?? '');
  return out;
}

/** The first child element reached by a path of names (`child(gpu, 'fb_memory_usage', 'total')`). */
export function child(el: XmlElement | undefined, ...path: string[]): XmlElement | undefined {
  let cur = el;
  for (const name of path) cur = cur?.children.find((c) => c.name === name);
  return cur;
}

/** Text of the element at a path, or null when it is absent. */
export function textAt(el: XmlElement | undefined, ...path: string[]): string | null {
  const found = child(el, ...path);
  return found ? found.text : null;
}
