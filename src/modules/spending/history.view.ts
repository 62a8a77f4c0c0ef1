import type { Formatters } from '../../i18n';
import { trendChart } from '../../lib/svg-trend';
import type { MunicipalityHistory } from './history.service';

/**
 * The view model of the municipality page's history block (views/partials/trend.ejs and
 * revenue.ejs): the execution trend chart and its table, the revenue table. `place` names the
 * municipality (or predecessor) in the chart's title and legend.
 */
export function historyView(h: MunicipalityHistory, place: string, { t, fmt }: { t: (key: string, opts?: Record<string, unknown>) => string; fmt: Formatters }) {
  const e = h.execution;
  const department = t('spending:trend.department');
  const national = t('spending:trend.national');
  const pcts = (s: typeof e.own) => s.map((p) => p?.pct ?? null);
  const withData = e.years.filter((_, i) => e.own[i] !== null);
  const first = withData[0];
  const last = withData[withData.length - 1];
  const missing = e.years.filter((y, i) => e.own[i] === null && (first === undefined || (y > first && y < last)));
  const trendSvg = trendChart({
    id: `trend-${h.predecessor?.ubigeo ?? 'm'}`,
    title: t('spending:trend.chart_title', { place, from: e.years[0], to: e.years[e.years.length - 1] }),
    desc: t('spending:trend.chart_desc', {
      place,
      first: first ?? '—',
      last: last ?? '—',
      gaps: missing.length ? missing.join(', ') : t('spending:trend.none'),
    }),
    years: e.years,
    series: [
      { label: place, values: pcts(e.own) },
      { label: department, values: pcts(e.department) },
      { label: national, values: pcts(e.national) },
    ],
    format: (v) => fmt.pct(v, 0),
    noData: t('spending:trend.no_data_short'),
    partialYears: e.years.filter((y) => e.partial[y]),
    partialLabel: t('common:year.partial_badge'),
  });
  const rows = e.years.map((year, i) => ({
    year,
    own: e.own[i],
    department: e.department[i],
    national: e.national[i],
    partial: Boolean(e.partial[year]) && e.own[i] !== null,
    cutOff: e.cutOff[year] ?? null,
    overPim: e.own[i] !== null && e.own[i].devengado > e.own[i].pim,
  }));
  const r = h.revenue;
  const revenueRows = r.years.map((year, i) => ({ year, own: r.own[i], department: r.department[i], national: r.national[i] }));
  return { trendSvg, rows, missing, revenueRows, predecessors: h.predecessors, predecessor: h.predecessor, hasRevenue: r.own.some((x) => x !== null) };
}

export type HistoryView = ReturnType<typeof historyView>;
