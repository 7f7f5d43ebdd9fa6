// A small, safe Markdown renderer for chat answers: paragraphs, ``` fenced code, inline code, bold,
// italics, headings and lists. It builds React elements (text is always escaped by React; no HTML is
// ever injected) and tolerates half-written input, since answers are rendered while they stream.
import { memo, type ReactNode } from 'react';

export type Block =
  | { kind: 'code'; lang: string; text: string; open: boolean }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'list'; ordered: boolean; start: number; items: string[] }
  | { kind: 'paragraph'; text: string };

const FENCE = /^\s{0,3}(```+|~~~+)\s*([\w+#.-]*)\s*$/;
const HEADING = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;

/** Split text into blocks. An unclosed fence runs to the end (the answer is still streaming). */
export function parseBlocks(text: string): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  let para: string[] = [];
  const endPara = () => {
    if (para.length) blocks.push({ kind: 'paragraph', text: para.join('\n') });
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      endPara();
      const marker = fence[1]!;
      const body: string[] = [];
      let open = true;
      for (i++; i < lines.length; i++) {
        const l = lines[i]!;
        if (l.trim().startsWith(marker.slice(0, 3)) && l.trim().replace(/[`~]/g, '') === '') {
          open = false;
          break;
        }
        body.push(l);
      }
      blocks.push({ kind: 'code', lang: fence[2] ?? '', text: body.join('\n'), open });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      endPara();
      blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]! });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (bullet || numbered) {
      endPara();
      const ordered = !!numbered;
      const item = bullet ? bullet[1]! : numbered![2]!;
      const last = blocks[blocks.length - 1];
      if (last?.kind === 'list' && last.ordered === ordered && lines[i - 1]?.trim() !== '') last.items.push(item);
      else blocks.push({ kind: 'list', ordered, start: numbered ? Number(numbered[1]) : 1, items: [item] });
      continue;
    }
    if (line.trim() === '') {
      endPara();
      continue;
    }
    // A continuation line of a list item (indented) stays in that item.
    const last = blocks[blocks.length - 1];
    if (!para.length && last?.kind === 'list' && /^\s{2,}\S/.test(line) && lines[i - 1]?.trim() !== '') {
      last.items[last.items.length - 1] += ` ${line.trim()}`;
      continue;
    }
    para.push(line);
  }
  endPara();
  return blocks;
}

const INLINE = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)|\*\*(?=\S)([\s\S]*?\S)\*\*|(?<![\w])__(?=\S)([\s\S]*?\S)__(?![\w])|\*(?=[^\s*])([^*]*?[^\s*])\*|(?<![\w])_(?=[^\s_])([^_]*?[^\s_])_(?![\w])/;

/** Inline spans: `code`, **bold** / __bold__, *italic* / _italic_ (nested emphasis allowed). */
export function renderInline(text: string, keyPrefix = ''): ReactNode[] {
  const out: ReactNode[] = [];
  let rest = text;
  let n = 0;
  while (rest) {
    const m = INLINE.exec(rest);
    if (!m) {
      out.push(rest);
      break;
    }
    if (m.index > 0) out.push(rest.slice(0, m.index));
    const key = `${keyPrefix}${n++}`;
    if (m[2] !== undefined) out.push(<code key={key}>{m[2]}</code>);
    else if (m[3] !== undefined || m[4] !== undefined) out.push(<strong key={key}>{renderInline(m[3] ?? m[4]!, `${key}.`)}</strong>);
    else out.push(<em key={key}>{renderInline(m[5] ?? m[6]!, `${key}.`)}</em>);
    rest = rest.slice(m.index + m[0].length);
  }
  return out;
}

function withBreaks(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  text.split('\n').forEach((line, i) => {
    if (i > 0) out.push(<br key={`br${i}`} />);
    out.push(...renderInline(line, `${i}:`));
  });
  return out;
}

const BlockView = memo(function BlockView({ block }: { block: Block }) {
  switch (block.kind) {
    case 'code':
      return (
        <pre className="md-code" data-lang={block.lang || undefined}>
          {block.lang && <span className="md-lang">{block.lang}</span>}
          <code>{block.text}</code>
        </pre>
      );
    case 'heading': {
      const Tag = `h${Math.min(6, block.level + 2)}` as 'h3';
      return <Tag>{renderInline(block.text)}</Tag>;
    }
    case 'list': {
      const items = block.items.map((it, i) => <li key={i}>{renderInline(it, `${i}:`)}</li>);
      return block.ordered ? <ol start={block.start}>{items}</ol> : <ul>{items}</ul>;
    }
    default:
      return <p>{withBreaks(block.text)}</p>;
  }
}, sameBlock);

function sameBlock(a: { block: Block }, b: { block: Block }): boolean {
  return JSON.stringify(a.block) === JSON.stringify(b.block);
}

/** Renders Markdown text; finished blocks are memoised so a streaming answer re-renders its tail only. */
export function Markdown({ text }: { text: string }) {
  const blocks = parseBlocks(text);
  return (
    <div className="md">
      {blocks.map((b, i) => (
        <BlockView key={i} block={b} />
      ))}
    </div>
  );
}
