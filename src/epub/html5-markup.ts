/**
 * XHTML 1.1 (EPUB 2) markup that HTML (EPUB 3) no longer allows, rewritten to what it
 * allows: presentational elements and attributes become CSS on the same element, the rest
 * (a table's `summary`, Content-Style-Type) goes. Only tags change: the text, and every
 * position of it the read-along placed, stays as it was.
 */

/** Obsolete elements and what they become (with their look as a style). */
const ELEMENTS: Record<string, { as: string; style: string }> = {
  big: { as: 'span', style: 'font-size:larger' },
  tt: { as: 'span', style: 'font-family:monospace' },
  center: { as: 'div', style: 'text-align:center' },
  strike: { as: 's', style: '' },
  acronym: { as: 'abbr', style: '' },
  font: { as: 'span', style: '' },
};

/** Presentational attributes, as CSS (`value` is the attribute's). */
const ATTRIBUTES: Record<string, (value: string, tag: string) => string> = {
  align: (v, tag) =>
    tag === 'img' || tag === 'table'
      ? v === 'center'
        ? 'margin-left:auto;margin-right:auto'
        : `float:${v}`
      : `text-align:${v}`,
  valign: (v) => `vertical-align:${v}`,
  bgcolor: (v) => `background-color:${v}`,
  width: (v) => `width:${/^\d+$/.test(v) ? `${v}px` : v}`,
  height: (v) => `height:${/^\d+$/.test(v) ? `${v}px` : v}`,
  nowrap: () => 'white-space:nowrap',
  cellspacing: (v) => `border-spacing:${/^\d+$/.test(v) ? `${v}px` : v}`,
  border: (v) => (v === '0' ? '' : `border:${/^\d+$/.test(v) ? `${v}px` : v} solid`),
  color: (v) => `color:${v}`,
  face: (v) => `font-family:${v}`,
  clear: (v) => `clear:${v === 'all' ? 'both' : v}`,
};

/** Attributes HTML dropped with nothing to become (what they said is not shown). */
const DROPPED = new Set(['summary', 'cellpadding', 'hspace', 'vspace', 'frame', 'rules']);

/** The HTML elements these attributes were presentational on (not SVG's or MathML's own). */
const PRESENTATIONAL = new Set(
  'table tr td th thead tbody tfoot col colgroup caption p div h1 h2 h3 h4 h5 h6 hr br img pre body ul ol li dl blockquote span a'.split(
    ' ',
  ),
);

const ATTRIBUTE = /\s([\w:-]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?/g;

export function asHtml5Markup(source: string): string {
  return source
    .replace(/<meta\b[^>]*http-equiv\s*=\s*["']Content-(?:Style|Script)-Type["'][^>]*>\s*/gi, '')
    .replace(
      /<\/(big|tt|center|strike|acronym|font)\s*>/gi,
      (_m, name: string) => `</${ELEMENTS[name.toLowerCase()]?.as}>`,
    )
    .replace(/<([a-zA-Z][\w:-]*)(\s[^<>]*?)?(\/?)>/g, (tag, name: string, attrs = '', end) =>
      rewriteTag(tag, name, attrs, end),
    );
}

/** One start tag: an obsolete element renamed, presentational attributes moved to its style. */
function rewriteTag(tag: string, name: string, attrs: string, end: string): string {
  const lower = name.toLowerCase();
  const element = ELEMENTS[lower];
  if (!element && !PRESENTATIONAL.has(lower)) return tag;
  const styles: string[] = element?.style ? [element.style] : [];
  const kept: string[] = [];
  for (const m of attrs.matchAll(ATTRIBUTE)) {
    const attr = (m[1] as string).toLowerCase();
    const value = (m[2] ?? '').replace(/^["']|["']$/g, '');
    const toCss = ATTRIBUTES[attr];
    if (attr === 'style') styles.unshift(value.replace(/;\s*$/, ''));
    else if (DROPPED.has(attr) || (attr === 'size' && lower === 'font')) continue;
    else if (toCss && !stillAllowed(attr, value, lower)) styles.push(toCss(value, lower));
    else kept.push(m[0]);
  }
  if (!element && kept.length === [...attrs.matchAll(ATTRIBUTE)].length) return tag;
  const css = styles.filter(Boolean).join(';');
  const styled = css ? ` style="${css.replace(/"/g, '&quot;')}"` : '';
  return `<${element?.as ?? name}${kept.join('')}${styled}${end}>`;
}

/** An image's size, and a table's border of 1, are still HTML. */
const stillAllowed = (attr: string, value: string, tag: string) =>
  ((attr === 'width' || attr === 'height') && tag === 'img') ||
  (attr === 'border' && tag === 'table' && (value === '1' || value === ''));
