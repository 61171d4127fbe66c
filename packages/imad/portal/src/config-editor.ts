/**
 * The admin's YAML editor: the file as on disk (GET /api/config), saved with PUT /api/config.
 * A refused file comes back as 422 with problems at a line and column; each is marked in the
 * line-number gutter and listed as a button that puts the cursor on it.
 */
import { api, type ConfigProblem } from './api.js';
import { announce, byId, h } from './dom.js';

export class ConfigEditor {
  private readonly text = byId<HTMLTextAreaElement>('config-text');
  private readonly gutter = byId('config-gutter');
  private readonly problems = byId('config-problems');
  private readonly status = byId('config-status');
  private bad = new Set<number>();

  constructor() {
    this.text.addEventListener('input', () => this.drawGutter());
    this.text.addEventListener('scroll', () => (this.gutter.scrollTop = this.text.scrollTop));
    byId('config-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.save();
    });
    byId('config-reload').addEventListener('click', () => void this.load());
  }

  async load(): Promise<void> {
    const r = await api<string>('GET', '/api/config');
    if (!r.ok) return this.say(`Loading the configuration failed: ${r.error}`);
    this.text.value = typeof r.data === 'string' ? r.data : '';
    this.showProblems([]);
    this.say('Loaded the file as it is on disk.');
  }

  private async save(): Promise<void> {
    const r = await api<{ warnings?: string[] }>('PUT', '/api/config', this.text.value);
    if (r.ok) {
      this.showProblems([]);
      const warnings = r.data?.warnings ?? [];
      this.say(`Saved and reloaded.${warnings.length > 0 ? ` Warnings: ${warnings.join('; ')}` : ''}`);
      return;
    }
    const problems = (r.body as { problems?: ConfigProblem[] } | undefined)?.problems;
    if (r.status === 422 && Array.isArray(problems)) {
      this.showProblems(problems);
      this.say(`Not saved: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the file.`);
      return;
    }
    this.say(`Not saved: ${r.error}`);
  }

  private say(text: string): void {
    this.status.textContent = text;
    announce(text);
  }

  private showProblems(problems: readonly ConfigProblem[]): void {
    this.bad = new Set(problems.map((p) => p.line));
    this.problems.replaceChildren(
      ...problems.map((p) =>
        // Line 0: a problem of the whole file (the daemon refused it), not of one place in it.
        h('li', {}, p.line > 0 ? h('button', { type: 'button', class: 'link', onclick: () => this.goTo(p.line, p.column) }, `Line ${p.line}, column ${p.column}: `, h('span', {}, p.message)) : p.message),
      ),
    );
    this.drawGutter();
  }

  private drawGutter(): void {
    const count = this.text.value.split('\n').length;
    const lines: Node[] = [];
    for (let n = 1; n <= count; n++) lines.push(this.bad.has(n) ? h('span', { class: 'bad', title: 'a problem on this line' }, `${n}`) : document.createTextNode(`${n}`), document.createTextNode('\n'));
    this.gutter.replaceChildren(...lines);
    this.gutter.scrollTop = this.text.scrollTop;
  }

  /** Put the cursor at `line`:`column` (1-based) and scroll the line into view. */
  private goTo(line: number, column: number): void {
    const lines = this.text.value.split('\n');
    let offset = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
    const end = offset + (lines[line - 1]?.length ?? 0);
    this.text.focus();
    this.text.setSelectionRange(Math.min(offset + Math.max(column - 1, 0), end), end);
    const lineHeight = parseFloat(getComputedStyle(this.text).lineHeight) || 20;
    this.text.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }
}
