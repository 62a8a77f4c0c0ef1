import { Router, Response } from 'express';
import type { i18n as I18n } from 'i18next';
import { formatters, isLang, Lang } from '../../i18n';
import { NotFoundError } from '../../lib/errors';
import type { MunicipalitiesService } from '../municipalities';
import type { PublicPages } from '../participation';
import type { SpendingService } from '../spending';
import { ICON_SVG, icoFromPngs, shareSvg, ShareFacts, toPng } from './discovery.images';
import { chunkGroups, MUNICIPALITY_PAGES, robotsTxt, SitemapGroup, sitemapIndexXml, sitemapXml, STATIC_PAGES } from './discovery.sitemap';

/** Public record pages of the participation module (its own type; passed in by app.ts). */
export type PublicRecordPages = () => Promise<PublicPages>;

export interface DiscoveryDeps {
  municipalities: MunicipalitiesService;
  spending: SpendingService;
  records: PublicRecordPages;
  i18n: I18n;
  publicUrl: string;
  /** URLs per sitemap file (the protocol allows 50 000). */
  sitemapMaxUrls?: number;
  /** Share images kept in memory (per data version). */
  shareCacheEntries?: number;
}

const IMAGE_CACHE = 'public, max-age=86400';

/**
 * Findable and shareable: robots.txt, the sitemap index and its sitemaps, the favicon set, the web
 * app manifest and the share images of municipalities and departments. Mounted at the root.
 */
export function createDiscoveryModule({ municipalities, spending, records, i18n, publicUrl, sitemapMaxUrls = 50000, shareCacheEntries = 300 }: DiscoveryDeps) {
  const router = Router();

  // Sitemaps are rebuilt when the data version or the public record changes (cheap: ids only).
  async function sitemapFiles() {
    const [{ at }, departments, provinces, munis, rec] = await Promise.all([spending.lastImport(), municipalities.departments(), municipalities.provinces(), municipalities.list({}), records()]);
    const groups: SitemapGroup[] = [
      { name: 'pages', pages: STATIC_PAGES.map((page) => ({ page })) },
      { name: 'departments', pages: departments.map((d) => ({ page: 'department' as const, params: { code: d.code } })) },
      { name: 'provinces', pages: provinces.map((p) => ({ page: 'province' as const, params: { code: p.code } })) },
      { name: 'municipalities', pages: munis.flatMap((m) => MUNICIPALITY_PAGES.map((page) => ({ page, params: { ubigeo: m.ubigeo } }))) },
      {
        name: 'participation',
        pages: [
          ...rec.processes.map((p) => ({ page: 'pb_process' as const, params: { ubigeo: p.ubigeo, year: p.year } })),
          ...rec.proposalProcesses.flatMap((p) => [
            { page: 'pb_proposals' as const, params: { ubigeo: p.ubigeo, year: p.year } },
            { page: 'pb_results' as const, params: { ubigeo: p.ubigeo, year: p.year } },
          ]),
          ...rec.proposals.map((id) => ({ page: 'pb_proposal' as const, params: { id } })),
          ...rec.items.map((id) => ({ page: 'pb_item' as const, params: { id } })),
          ...rec.hearings.map((id) => ({ page: 'hearing' as const, params: { id } })),
          ...rec.commitments.map((id) => ({ page: 'commitment' as const, params: { id } })),
        ],
      },
    ];
    return { lastmod: at ? at.slice(0, 10) : null, files: chunkGroups(groups, sitemapMaxUrls) };
  }

  const xml = (res: Response, body: string) => res.type('application/xml; charset=utf-8').send(body);

  router.get('/robots.txt', (_req, res) => {
    res.type('text/plain; charset=utf-8').send(robotsTxt(publicUrl));
  });
  router.get('/sitemap.xml', async (_req, res) => {
    const { lastmod, files } = await sitemapFiles();
    xml(
      res,
      sitemapIndexXml(
        publicUrl,
        files.map((f) => f.file),
        lastmod,
      ),
    );
  });
  router.get('/sitemaps/:file', async (req, res) => {
    const { lastmod, files } = await sitemapFiles();
    const f = files.find((x) => x.file === req.params.file);
    if (!f) throw new NotFoundError();
    xml(res, sitemapXml(publicUrl, f.pages, lastmod));
  });

  // Icons: rasterised once, on first request.
  const icons = new Map<string, Buffer | null>();
  const iconPng = (size: number) => {
    const key = `png${size}`;
    if (!icons.has(key)) icons.set(key, toPng(ICON_SVG, size));
    return icons.get(key) ?? null;
  };
  const sendIcon = (res: Response, size: number) => {
    const png = iconPng(size);
    res.set('Cache-Control', 'public, max-age=604800');
    if (png) res.type('image/png').send(png);
    else res.type('image/svg+xml').send(ICON_SVG);
  };
  router.get('/icon.svg', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=604800').type('image/svg+xml').send(ICON_SVG);
  });
  router.get('/favicon.ico', (_req, res) => {
    const small = [16, 32, 48].map((size) => ({ size, png: iconPng(size) }));
    res.set('Cache-Control', 'public, max-age=604800');
    if (small.every((s) => s.png)) res.type('image/x-icon').send(icoFromPngs(small as Array<{ size: number; png: Buffer }>));
    else res.type('image/svg+xml').send(ICON_SVG);
  });
  router.get('/apple-touch-icon.png', (_req, res) => sendIcon(res, 180));
  router.get('/icon-192.png', (_req, res) => sendIcon(res, 192));
  router.get('/icon-512.png', (_req, res) => sendIcon(res, 512));
  router.get('/manifest-:lng.webmanifest', (req, res) => {
    const lng = req.params.lng;
    if (!isLang(lng)) throw new NotFoundError();
    res
      .set('Cache-Control', 'public, max-age=86400')
      .type('application/manifest+json')
      .send(
        JSON.stringify({
          name: 'Resultados Abiertos',
          short_name: 'Resultados',
          description: i18n.t('seo:manifest.description', { lng }),
          lang: lng === 'es' ? 'es-PE' : 'en',
          start_url: `/${lng}/`,
          scope: '/',
          display: 'browser',
          background_color: '#ffffff',
          theme_color: '#0b4f8a',
          icons: [
            { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
            { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
            { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml' },
          ],
        }),
      );
  });

  // Share images, kept per data version: a new import changes the key, old entries age out.
  const shareCache = new Map<string, { body: Buffer; type: string }>();
  async function shareImage(res: Response, lng: Lang, key: string, facts: () => Promise<ShareFacts>) {
    const { version } = await spending.lastImport();
    const id = `${key}:${lng}:${version}`;
    let hit = shareCache.get(id);
    if (!hit) {
      const svg = shareSvg(await facts());
      const png = toPng(svg);
      hit = png ? { body: png, type: 'image/png' } : { body: Buffer.from(svg), type: 'image/svg+xml' };
      shareCache.set(id, hit);
      for (const k of shareCache.keys()) {
        if (shareCache.size <= shareCacheEntries) break;
        shareCache.delete(k);
      }
    }
    res
      .set('Cache-Control', IMAGE_CACHE)
      .set('ETag', `"${id.replace(/[^\w:.-]/g, '')}"`)
      .type(hit.type)
      .send(hit.body);
  }
  const langOr404 = (v: string): Lang => {
    if (!isLang(v)) throw new NotFoundError();
    return v;
  };
  const caption = (lng: Lang, year: number | null | undefined, pct: number | null | undefined) =>
    year != null && pct != null ? i18n.t('seo:share.executed', { lng, year }) : i18n.t('seo:share.no_data', { lng });

  /** What a share image shows: a name, its context and the execution % of `row` in `year` (or that there is none). */
  const shareFacts = (lng: Lang, name: string, context: string, year: number | null | undefined, row: { execution_pct: number | null } | null | undefined): ShareFacts => ({
    name,
    context,
    figure: row ? formatters(lng).pct(row.execution_pct) : null,
    caption: caption(lng, year, row?.execution_pct),
    pct: row?.execution_pct ?? null,
  });
  /**
   * GET /share/:lng/<prefix>/<code>.png, a code of `digits` digits: 404 unless lng is a language and
   * `find` knows the code (it throws NotFoundError). Cached as `<prefix><code>`.
   */
  function shareRoute<T>(prefix: string, digits: number, find: (code: string) => Promise<T>, facts: (lng: Lang, found: T) => Promise<ShareFacts>) {
    const file = new RegExp(`^(\\d{${digits}})\\.png$`);
    router.get(`/share/:lng/${prefix}/:file`, async (req, res) => {
      const lng = langOr404(req.params.lng);
      const m = file.exec(req.params.file);
      if (!m) throw new NotFoundError();
      const found = await find(m[1]);
      await shareImage(res, lng, `${prefix}${m[1]}`, () => facts(lng, found));
    });
  }

  router.get('/share/site-:lng.png', async (req, res) => {
    const lng = langOr404(req.params.lng);
    await shareImage(res, lng, 'site', async () => {
      const year = await spending.defaultYear();
      const total = year ? (await spending.ranking({ level: 'department', year })).total : null;
      const counts = await municipalities.counts();
      return shareFacts(lng, 'Resultados Abiertos', `${i18n.t('seo:share.site', { lng })} · ${formatters(lng).number(counts.municipalities)}`, year, total);
    });
  });
  shareRoute('m', 6, municipalities.municipality, async (lng, muni) => {
    const execution = await spending.forMunicipality(muni.ubigeo);
    const e = execution.find((x) => !x.partial && x.execution_pct != null) ?? execution.find((x) => x.execution_pct != null) ?? null;
    return shareFacts(lng, muni.district, `${muni.province}, ${muni.department}`, e?.year, e);
  });
  shareRoute('d', 2, municipalities.department, async (lng, dept) => {
    const year = await spending.defaultYear();
    const row = year ? ((await spending.ranking({ level: 'department', year })).rows.find((r) => r.code === dept.code) ?? null) : null;
    return shareFacts(lng, i18n.t('seo:share.department', { lng, name: dept.name }), 'Perú', year, row);
  });

  return { router };
}
