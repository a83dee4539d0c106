import { createHash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import type { TrueTypeFont } from './truetype.js';

/**
 * A PDF 1.7 writer for text documents: paragraphs of runs in embedded TrueType fonts, wrapped at spaces,
 * left-aligned or centred, pages added as the text needs them. Each font is embedded as a CIDFontType2
 * (Identity-H, the font's own glyph ids, /W from its advance widths), subset to the glyphs drawn, with a
 * ToUnicode CMap so the text can be copied and extracted. Streams are FlateDecode. The output depends on
 * nothing but its input (no dates, a subset tag and /ID hashed from the content), so the same document
 * gives the same bytes.
 */

export interface TextRun {
  /** a key of the document's fonts */
  readonly font: string;
  readonly size: number;
  readonly text: string;
}

export interface PdfSetup {
  /** points; A5 is 419.53 × 595.28 */
  readonly width: number;
  readonly height: number;
  readonly margin: number;
  readonly fonts: Readonly<Record<string, TrueTypeFont>>;
  readonly info?: { readonly title?: string; readonly author?: string };
}

/** A glyph as drawn: its id, its advance in thousandths of an em (as /W states it), the text it stands for. */
interface Glyph {
  readonly id: number;
  readonly width: number;
  readonly text: string;
}

interface Segment {
  readonly font: string;
  readonly size: number;
  readonly glyphs: Glyph[];
}

interface Word {
  readonly segments: Segment[];
  /** without the spaces that end it */
  readonly width: number;
  /** the spaces that end it */
  readonly trailing: number;
}

interface PlacedLine {
  readonly x: number;
  /** baseline, from the top of the page */
  readonly baseline: number;
  readonly segments: Segment[];
}

const isSpace = (g: Glyph) => g.text === ' ';

/** Numbers as PDF writes them: at most 3 decimals, no exponent, no -0. */
export const num = (n: number): string => {
  const s = (Math.round(n * 1000) / 1000).toFixed(3).replace(/\.?0+$/, '');
  return s === '-0' ? '0' : s;
};

const hex4 = (n: number) => n.toString(16).toUpperCase().padStart(4, '0');

/** UTF-16BE, as ToUnicode CMaps and text strings write Unicode */
const utf16Hex = (text: string): string => {
  let out = '';
  for (let i = 0; i < text.length; i++) out += hex4(text.charCodeAt(i));
  return out;
};

export class PdfDocument {
  readonly #setup: PdfSetup;
  readonly #pages: PlacedLine[][] = [[]];
  /** per font, the glyphs drawn and the text each stands for (the first text seen for a glyph) */
  readonly #used = new Map<string, Map<number, string>>();
  #y: number;
  #current: { font: string; size: number };

  constructor(setup: PdfSetup) {
    this.#setup = setup;
    this.#y = setup.margin;
    const first = Object.keys(setup.fonts)[0];
    if (first === undefined) throw new Error('a PDF document needs a font');
    this.#current = { font: first, size: 12 };
  }

  #font(key: string): TrueTypeFont {
    const font = this.#setup.fonts[key];
    if (!font) throw new Error(`unknown font ${key}`);
    return font;
  }

  /** the height of a line in this font and size: ascent to descent plus the font's line gap */
  lineHeight(font: string, size: number): number {
    const f = this.#font(font);
    return ((f.ascent - f.descent + f.lineGap) / f.unitsPerEm) * size;
  }

  /**
   * The glyphs of a text in a font, NFC first. A character the font has no glyph for is drawn from its
   * canonical decomposition when the font has every part, else as .notdef.
   */
  glyphs(font: string, text: string): Glyph[] {
    const f = this.#font(font);
    const width = (id: number) => Math.round((f.advance(id) * 1_000_000) / f.unitsPerEm) / 1000;
    const out: Glyph[] = [];
    for (const ch of text.normalize('NFC')) {
      const id = f.glyphId(ch.codePointAt(0)!);
      if (id !== 0) {
        out.push({ id, width: width(id), text: ch });
        continue;
      }
      const parts = [...ch.normalize('NFD')];
      const ids = parts.map((p) => f.glyphId(p.codePointAt(0)!));
      if (parts.length > 1 && ids.every((g) => g !== 0)) parts.forEach((p, i) => out.push({ id: ids[i]!, width: width(ids[i]!), text: p }));
      else out.push({ id: 0, width: width(0), text: ch });
    }
    return out;
  }

  /** width in points of a text in one font and size */
  widthOf(font: string, size: number, text: string): number {
    return (this.glyphs(font, text).reduce((w, g) => w + g.width, 0) * size) / 1000;
  }

  /** Moves down by lines of the font and size last written, as a blank line would. */
  moveDown(lines = 1): this {
    this.#y += this.lineHeight(this.#current.font, this.#current.size) * lines;
    return this;
  }

  /** A paragraph: the runs one after another, wrapped at spaces to the width between the margins. */
  text(runs: readonly TextRun[], options: { align?: 'left' | 'center' } = {}): this {
    const { width, margin } = this.#setup;
    const maxWidth = width - 2 * margin;
    const lines = wrap(this.#words(runs), maxWidth, (g, font, size) => (g.width * size) / 1000);
    for (const line of lines) {
      const height = Math.max(...line.segments.map((s) => this.lineHeight(s.font, s.size)));
      const ascent = Math.max(...line.segments.map((s) => { const f = this.#font(s.font); return (f.ascent / f.unitsPerEm) * s.size; }));
      if (this.#y + height > this.#setup.height - margin && this.#pages.at(-1)!.length > 0) {
        this.#pages.push([]);
        this.#y = margin;
      }
      const x = options.align === 'center' ? margin + (maxWidth - line.width) / 2 : margin;
      this.#pages.at(-1)!.push({ x, baseline: this.#y + ascent, segments: line.segments });
      for (const s of line.segments) {
        const used = this.#used.get(s.font) ?? new Map<number, string>();
        this.#used.set(s.font, used);
        for (const g of s.glyphs) if (!used.has(g.id)) used.set(g.id, g.text);
      }
      this.#y += height;
    }
    const last = runs.at(-1);
    if (last) this.#current = { font: last.font, size: last.size };
    return this;
  }

  #words(runs: readonly TextRun[]): Word[] {
    const words: Word[] = [];
    let segments: Segment[] = [];
    let w = 0;
    let trailing = 0;
    const close = () => {
      if (segments.length) words.push({ segments, width: w, trailing });
      segments = [];
      w = 0;
      trailing = 0;
    };
    for (const run of runs) {
      for (const g of this.glyphs(run.font, run.text)) {
        const advance = (g.width * run.size) / 1000;
        if (!isSpace(g) && trailing > 0) close();
        let seg = segments.at(-1);
        if (!seg || seg.font !== run.font || seg.size !== run.size) {
          seg = { font: run.font, size: run.size, glyphs: [] };
          segments.push(seg);
        }
        seg.glyphs.push(g);
        if (isSpace(g)) trailing += advance;
        else w += advance;
      }
    }
    close();
    return words;
  }

  /** The document's bytes. */
  toBytes(): Uint8Array {
    const { width, height } = this.#setup;
    const objects: (string | Uint8Array)[] = [];
    const alloc = (): number => objects.push('') ;
    const set = (n: number, body: string | Uint8Array) => { objects[n - 1] = body; };
    const stream = (dict: string, data: Uint8Array): Uint8Array => {
      const z = deflateSync(data);
      return concat([latin1(`<< ${dict}${dict ? ' ' : ''}/Filter /FlateDecode /Length ${z.length} >>\nstream\n`), z, latin1('\nendstream')]);
    };

    const catalog = alloc();
    const pagesRef = alloc();
    const infoRef = alloc();
    const fontKeys = Object.keys(this.#setup.fonts).filter((k) => this.#used.has(k));
    const fontRefs = new Map(fontKeys.map((k, i) => [k, { resource: `F${i + 1}`, ref: alloc() }]));
    for (const key of fontKeys) this.#writeFont(key, fontRefs.get(key)!.ref, alloc, set, stream);

    const resources = `<< /Font << ${[...fontRefs.values()].map((f) => `/${f.resource} ${f.ref} 0 R`).join(' ')} >> >>`;
    const pageRefs: number[] = [];
    for (const lines of this.#pages) {
      const page = alloc();
      const contents = alloc();
      pageRefs.push(page);
      set(page, `<< /Type /Page /Parent ${pagesRef} 0 R /MediaBox [0 0 ${num(width)} ${num(height)}] /Resources ${resources} /Contents ${contents} 0 R >>`);
      set(contents, stream('', latin1(this.#content(lines, fontRefs))));
    }
    set(pagesRef, `<< /Type /Pages /Kids [${pageRefs.map((p) => `${p} 0 R`).join(' ')}] /Count ${pageRefs.length} >>`);
    set(catalog, `<< /Type /Catalog /Pages ${pagesRef} 0 R >>`);
    const info = this.#setup.info ?? {};
    const infoEntries = [info.title === undefined ? '' : `/Title <FEFF${utf16Hex(info.title)}>`, info.author === undefined ? '' : `/Author <FEFF${utf16Hex(info.author)}>`, '/Producer (motcua)'];
    set(infoRef, `<< ${infoEntries.filter(Boolean).join(' ')} >>`);

    // header with a comment of bytes over 127, so transfer tools treat the file as binary
    const parts: Uint8Array[] = [latin1('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')];
    let offset = parts[0]!.length;
    const offsets: number[] = [];
    objects.forEach((body, i) => {
      const bytes = concat([latin1(`${i + 1} 0 obj\n`), typeof body === 'string' ? latin1(body) : body, latin1('\nendobj\n')]);
      offsets.push(offset);
      parts.push(bytes);
      offset += bytes.length;
    });
    const id = createHash('sha256').update(concat(parts)).digest('hex').slice(0, 32).toUpperCase();
    const xref = ['xref', `0 ${objects.length + 1}`, '0000000000 65535 f ', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n `)].join('\n');
    parts.push(latin1(`${xref}\ntrailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R /Info ${infoRef} 0 R /ID [<${id}> <${id}>] >>\nstartxref\n${offset}\n%%EOF\n`));
    return concat(parts);
  }

  #content(lines: readonly PlacedLine[], fonts: ReadonlyMap<string, { resource: string }>): string {
    const ops: string[] = [];
    for (const line of lines) {
      // spaces that end a line are not drawn: they only separated it from the next
      const segments = line.segments.map((s) => ({ ...s, glyphs: [...s.glyphs] }));
      for (let i = segments.length - 1; i >= 0; i--) {
        const g = segments[i]!.glyphs;
        while (g.length && isSpace(g.at(-1)!)) g.pop();
        if (g.length) break;
      }
      const drawn = segments.filter((s) => s.glyphs.length > 0);
      if (!drawn.length) continue;
      ops.push('BT', `1 0 0 1 ${num(line.x)} ${num(this.#setup.height - line.baseline)} Tm`);
      let font = '';
      for (const s of drawn) {
        const f = `/${fonts.get(s.font)!.resource} ${num(s.size)} Tf`;
        if (f !== font) ops.push((font = f));
        ops.push(`<${s.glyphs.map((g) => hex4(g.id)).join('')}> Tj`);
      }
      ops.push('ET');
    }
    return ops.join('\n');
  }

  #writeFont(key: string, type0: number, alloc: () => number, set: (n: number, body: string | Uint8Array) => void, stream: (dict: string, data: Uint8Array) => Uint8Array): void {
    const font = this.#font(key);
    const used = this.#used.get(key)!;
    const ids = [...used.keys()].sort((a, b) => a - b);
    const scale = (v: number) => Math.round((v * 1000) / font.unitsPerEm);
    // a subset's name starts with six capital letters of its own (ISO 32000-1 9.6.4); hashed, so it is stable
    const digest = createHash('sha256').update(`${font.postscriptName}:${ids.join(',')}`).digest();
    const tag = Array.from(digest.subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
    const name = `${tag}+${font.postscriptName}`;
    const cid = alloc();
    const descriptor = alloc();
    const file = alloc();
    const toUnicode = alloc();

    const widths: string[] = [];
    for (let i = 0; i < ids.length; ) {
      const run = [ids[i]!];
      while (i + run.length < ids.length && ids[i + run.length] === run.at(-1)! + 1) run.push(ids[i + run.length]!);
      widths.push(`${run[0]} [${run.map((g) => num(font.advance(g) * 1000 / font.unitsPerEm)).join(' ')}]`);
      i += run.length;
    }
    const bbox = font.bbox.map(scale).join(' ');
    set(type0, `<< /Type /Font /Subtype /Type0 /BaseFont /${name} /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${toUnicode} 0 R >>`);
    set(cid, `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${name} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${descriptor} 0 R /CIDToGIDMap /Identity /DW 0 /W [${widths.join(' ')}] >>`);
    set(descriptor, `<< /Type /FontDescriptor /FontName /${name} /Flags 4 /FontBBox [${bbox}] /ItalicAngle ${num(font.italicAngle)} /Ascent ${scale(font.ascent)} /Descent ${scale(font.descent)} /CapHeight ${scale(font.capHeight)} /StemV 80 /FontFile2 ${file} 0 R >>`);
    const program = font.subset(ids);
    set(file, stream(`/Length1 ${program.length}`, program));
    set(toUnicode, stream('', latin1(toUnicodeCMap(used))));
  }
}

/** The CMap that maps each glyph id drawn back to its text (ISO 32000-1 9.10.3). */
export function toUnicodeCMap(glyphs: ReadonlyMap<number, string>): string {
  const entries = [...glyphs].filter(([id]) => id !== 0).sort((a, b) => a[0] - b[0]);
  const blocks: string[] = [];
  // at most 100 entries per bfchar block
  for (let i = 0; i < entries.length; i += 100) {
    const chunk = entries.slice(i, i + 100);
    blocks.push(`${chunk.length} beginbfchar`, ...chunk.map(([id, text]) => `<${hex4(id)}> <${utf16Hex(text)}>`), 'endbfchar');
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

interface Line {
  readonly segments: Segment[];
  readonly width: number;
}

/**
 * Greedy line breaking at spaces: a word goes on the line while it fits (the spaces that end it need not);
 * a word wider than a whole line is cut between glyphs.
 */
function wrap(words: readonly Word[], maxWidth: number, advance: (g: Glyph, font: string, size: number) => number): Line[] {
  const lines: Line[] = [];
  let segments: Segment[] = [];
  let width = 0;
  let pending = 0;
  const push = (word: Word) => {
    for (const s of word.segments) {
      const last = segments.at(-1);
      if (last && last.font === s.font && last.size === s.size) last.glyphs.push(...s.glyphs);
      else segments.push({ font: s.font, size: s.size, glyphs: [...s.glyphs] });
    }
    width += pending + word.width;
    pending = word.trailing;
  };
  const flush = () => {
    if (segments.length) lines.push({ segments, width });
    segments = [];
    width = 0;
    pending = 0;
  };
  for (const word of words) {
    if (segments.length && width + pending + word.width > maxWidth) flush();
    if (word.width <= maxWidth) {
      push(word);
      continue;
    }
    // too wide for any line: as many glyphs per line as fit
    let piece: Segment[] = [];
    let w = 0;
    for (const s of word.segments) {
      for (const g of s.glyphs) {
        const a = advance(g, s.font, s.size);
        if (w + a > maxWidth && w > 0 && !isSpace(g)) {
          push({ segments: piece, width: w, trailing: 0 });
          flush();
          piece = [];
          w = 0;
        }
        const last = piece.at(-1);
        if (last && last.font === s.font && last.size === s.size) last.glyphs.push(g);
        else piece.push({ font: s.font, size: s.size, glyphs: [g] });
        if (!isSpace(g)) w += a;
      }
    }
    push({ segments: piece, width: w, trailing: word.trailing });
  }
  flush();
  return lines;
}

const latin1 = (s: string): Uint8Array => Buffer.from(s, 'latin1');

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
