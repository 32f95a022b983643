#!/usr/bin/env node
// Draws the README's pictures from their text sources: docs/NAME.txt → docs/NAME.svg. Same text,
// same bytes (no dates, no randomness, fixed character widths), so a test can check that the
// committed SVGs are what their sources give.
// Source format: "#" comment lines, one "title: ..." line, then one stage per line; boxes of a
// stage are separated by " | "; an arrow joins every box of a stage to the next stage.
// Usage: node scripts/diagram.mjs [--check]   (--check: exit 1 when an SVG is out of date)
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const CHAR = 7.2, PAD = 12, BOX_H = 34, GAP_Y = 30, GAP_X = 16, MARGIN = 20, TITLE_H = 30;
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const n = (x) => (Math.round(x * 10) / 10).toString();

export function parseDiagram(text) {
  let title = '';
  const stages = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('title:')) { title = line.slice(6).trim(); continue; }
    stages.push(line.split(' | ').map((s) => s.trim()).filter(Boolean));
  }
  return { title, stages };
}

export function drawDiagram(text) {
  const { title, stages } = parseDiagram(text);
  const widthOf = (label) => label.length * CHAR + 2 * PAD;
  const rowWidth = (row) => row.reduce((w, b) => w + widthOf(b), 0) + GAP_X * (row.length - 1);
  const width = Math.max(widthOf(title), ...stages.map(rowWidth)) + 2 * MARGIN;
  const height = MARGIN * 2 + TITLE_H + stages.length * BOX_H + (stages.length - 1) * GAP_Y;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${n(width)}" height="${n(height)}" viewBox="0 0 ${n(width)} ${n(height)}" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="12">`);
  out.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker></defs>');
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  out.push(`<text x="${n(width / 2)}" y="${n(MARGIN + 14)}" text-anchor="middle" font-weight="bold" font-size="13" fill="#222">${esc(title)}</text>`);
  const centres = [];
  stages.forEach((row, r) => {
    const y = MARGIN + TITLE_H + r * (BOX_H + GAP_Y);
    let x = (width - rowWidth(row)) / 2;
    const cs = [];
    for (const label of row) {
      const w = widthOf(label);
      out.push(`<rect x="${n(x)}" y="${n(y)}" width="${n(w)}" height="${BOX_H}" rx="6" fill="#eef3fb" stroke="#3b6bb5"/>`);
      out.push(`<text x="${n(x + w / 2)}" y="${n(y + BOX_H / 2 + 4)}" text-anchor="middle" fill="#111">${esc(label)}</text>`);
      cs.push({ x: x + w / 2, top: y, bottom: y + BOX_H });
      x += w + GAP_X;
    }
    centres.push(cs);
  });
  for (let r = 0; r + 1 < centres.length; r++) {
    for (const a of centres[r]) for (const b of centres[r + 1]) {
      out.push(`<line x1="${n(a.x)}" y1="${n(a.bottom)}" x2="${n(b.x)}" y2="${n(b.top - 2)}" stroke="#444" marker-end="url(#arrow)"/>`);
    }
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const docs = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs');
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const f of readdirSync(docs).filter((x) => x.endsWith('.txt')).sort()) {
    const svgFile = join(docs, f.replace(/\.txt$/, '.svg'));
    const svg = drawDiagram(readFileSync(join(docs, f), 'utf8'));
    if (check) {
      if (!existsSync(svgFile) || readFileSync(svgFile, 'utf8') !== svg) { process.stderr.write(`docs/${f.replace(/\.txt$/, '.svg')} is out of date with docs/${f}; run node scripts/diagram.mjs\n`); stale++; }
    } else { writeFileSync(svgFile, svg); process.stdout.write(`wrote ${svgFile}\n`); }
  }
  process.exit(stale ? 1 : 0);
}
