// Assembles the portal's static files into dist/portal (tsc has put the compiled scripts there):
// each page in pages/ is its <main> content, wrapped in shell.html, and the assets are copied.
// A page opens with a comment holding its settings: {"title", "script", "layout": full|compact|bare}.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const out = fileURLToPath(new URL('../dist/portal/', import.meta.url));
mkdirSync(out, { recursive: true });

const shell = readFileSync(`${here}shell.html`, 'utf8');
const headers = {
  full: readFileSync(`${here}header-full.html`, 'utf8'),
  compact: readFileSync(`${here}header-compact.html`, 'utf8'),
  bare: '',
};
for (const file of readdirSync(`${here}pages`).filter((f) => f.endsWith('.html'))) {
  const text = readFileSync(`${here}pages/${file}`, 'utf8');
  const head = /^<!--\s*(\{.*\})\s*-->\n/.exec(text);
  if (head === null) throw new Error(`portal/pages/${file}: the first line must be <!-- {"title", "script", "layout"} -->`);
  const { title, script, layout } = JSON.parse(head[1]);
  if (!(layout in headers)) throw new Error(`portal/pages/${file}: layout must be full, compact or bare`);
  const page = shell
    .replaceAll('{{title}}', title)
    .replaceAll('{{script}}', script)
    .replaceAll('{{layout}}', layout)
    .replaceAll('{{compact}}', String(layout === 'compact'))
    .replace('{{header}}', headers[layout])
    .replace('{{body}}', text.slice(head[0].length).trimEnd());
  writeFileSync(`${out}${file}`, page);
}
for (const asset of ['portal.css', 'icon.svg', 'icon.png']) copyFileSync(`${here}${asset}`, `${out}${asset}`);
