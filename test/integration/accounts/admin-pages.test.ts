import { createTestApp, TestApp } from '../../helpers/app';
import { loginAdmin } from '../../helpers/accounts';
import { eachDialect } from '../../helpers/db';

const UBIGEO = '090101';
const ENTRIES = 120; // 50 a page: three pages

eachDialect('admin lists, a page at a time, on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
    const rows = Array.from({ length: ENTRIES }, (_, i) => ({
      at: `2026-01-01T00:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}.000Z`,
      actor_user_id: null,
      actor_email: null,
      actor_role: null,
      action: 'test.paged',
      entity_type: 'test',
      entity_id: String(i),
      municipality_ubigeo: UBIGEO,
    }));
    for (let i = 0; i < rows.length; i += 40) await t.db('audit_log').insert(rows.slice(i, i + 40));
  });
  afterAll(async () => t.cleanup());

  const shown = (html: string) => (html.match(/test\.paged/g) ?? []).length;

  it('when the audit log has more entries than a page, then the shared pager links the pages with the filter kept, and a page past the end shows the last', async () => {
    const admin = await loginAdmin(t, 'admin-pages@example.pe');
    const first = await admin.get(`/es/admin/auditoria?municipality=${UBIGEO}`).expect(200);
    expect(shown(first.text)).toBe(50);
    expect(first.text).toMatch(/<nav class="pagination" aria-label="Páginas">/);
    expect(first.text).toContain(`href="/es/admin/auditoria?municipality=${UBIGEO}&amp;page=2" rel="next"`);
    const last = await admin.get(`/es/admin/auditoria?municipality=${UBIGEO}&page=3`).expect(200);
    expect(shown(last.text)).toBe(ENTRIES - 100);
    expect(last.text).toContain(`aria-current="page" href="/es/admin/auditoria?municipality=${UBIGEO}&amp;page=3"`);
    expect(last.text).not.toContain('rel="next"');
    const past = await admin.get(`/en/admin/audit?municipality=${UBIGEO}&page=40`).expect(200);
    expect(shown(past.text)).toBe(ENTRIES - 100);
  });

  it("when a municipality's management page has more changes than a page, then it links the other pages too", async () => {
    const admin = await loginAdmin(t, 'admin-pages-2@example.pe');
    const page = await admin.get(`/es/gestion/${UBIGEO}`).expect(200);
    expect(shown(page.text)).toBe(50);
    expect(page.text).toContain(`href="/es/gestion/${UBIGEO}?page=2" rel="next"`);
    const second = await admin.get(`/es/gestion/${UBIGEO}?page=2`).expect(200);
    expect(shown(second.text)).toBe(50);
    expect(second.text).toContain('rel="prev"');
  });
});
