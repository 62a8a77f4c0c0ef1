import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { migrations } from '../../migrations';

const ROOT = path.join(__dirname, '..', '..');

describe('project rules', () => {
  it('when a view outputs unescaped (<%-), then it is only an include, a server-built SVG or JSON-LD from jsonLdText()', () => {
    const offenders: string[] = [];
    const scan = (dir: string) => {
      for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, f.name);
        if (f.isDirectory()) scan(p);
        else
          for (const m of fs.readFileSync(p, 'utf8').matchAll(/<%-\s*([^%]*)%>/g)) {
            if (!/^include\(/.test(m[1].trim()) && !/^svg\b|Svg\b|\.svg\b/.test(m[1].trim()) && m[1].trim() !== 'locals.jsonLd') offenders.push(`${path.relative(ROOT, p)}: ${m[0]}`);
          }
      }
    };
    scan(path.join(ROOT, 'views'));
    expect(offenders).toEqual([]);
  });

  it("when the README's systemd units start the web process and the worker, then they pass node the flags of npm start and npm run worker", () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const [script, file] of [
      ['start', 'dist/src/server.js'],
      ['worker', 'dist/src/cli/worker.js'],
    ]) {
      const flags = new RegExp(`node ((?:--[\\w-]+=\\S+ )*)${file}`).exec(scripts[script])?.[1];
      expect(flags).toMatch(/--max-old-space-size=/);
      expect(readme).toContain(`ExecStart=/usr/bin/node ${flags}${file}`);
    }
  });

  it('when the migrations folder is listed, then every migration file is registered in migrations/index.ts, in order', () => {
    const files = fs
      .readdirSync(path.join(ROOT, 'migrations'))
      .filter((f) => /^\d{14}_[a-z_]+\.ts$/.test(f))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations).sort()).toEqual(files);
    for (const m of Object.values(migrations)) {
      expect(typeof m.up).toBe('function');
      expect(typeof m.down).toBe('function');
    }
  });

  it('when a migration imports, then it never imports from src', () => {
    for (const f of fs.readdirSync(path.join(ROOT, 'migrations'))) {
      expect(fs.readFileSync(path.join(ROOT, 'migrations', f), 'utf8')).not.toMatch(/from ['"]\.\.\/src/);
    }
  });

  it('when the configuration is invalid, then loading fails fast with the variable named', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://x' })).toThrow(/DATABASE_URL/);
    expect(loadConfig({ DATABASE_URL: 'mysql://u:p@h:3306/db' }).db).toMatchObject({ client: 'mysql' });
    expect(loadConfig({}).db).toMatchObject({ client: 'sqlite' });
    expect(loadConfig({}).port).toBe(3000);
  });
});
