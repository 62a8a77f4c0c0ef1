import fs from 'node:fs';
import path from 'node:path';

const viewsDir = path.resolve(__dirname, '..', '..', '..', 'views');
const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));

describe('account and admin views', () => {
  const files = walk(viewsDir).filter((f) => /[\\/](accounts|admin)[\\/]|field\.ejs$|form-errors\.ejs$/.test(f));
  it('when the views are read, then <%- is used only for include()', () => {
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const raw = fs.readFileSync(f, 'utf8').match(/<%-[^%]*%>/g) ?? [];
      for (const tag of raw) expect(`${path.basename(f)}: ${tag}`).toMatch(/<%-\s*include\(/);
    }
  });
  it('when the views are read, then no inline script or style attribute is used', () => {
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      expect(text).not.toMatch(/<script|style=|onclick=|onload=/i);
    }
  });
});
