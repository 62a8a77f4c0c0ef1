import { PagingParams } from '../../lib/http';
import { z } from 'zod';
import { figuresYear, format, opt, ubigeo } from '../../lib/schemas';
import { SORTABLE } from './spending.service';
import { BAND_KEYS } from '../municipalities';

const YearParam = opt(figuresYear('spending:errors.year'));

export const RankingPageQuery = z.object({
  year: YearParam,
  level: opt(z.enum(['department', 'province', 'municipality'], { message: 'spending:errors.level' })),
  department: opt(z.string().regex(/^\d{2}$/, 'municipalities:errors.department_format')),
  province: opt(z.string().regex(/^\d{4}$/, 'municipalities:errors.province_format')),
  type: opt(z.enum(['provincial', 'distrital'], { message: 'municipalities:errors.type' })),
  band: opt(z.enum(BAND_KEYS, { message: 'scores:errors.band' })),
  sort: opt(z.enum(SORTABLE, { message: 'spending:errors.sort' })),
  dir: opt(z.enum(['asc', 'desc'], { message: 'spending:errors.dir' })),
  page: opt(
    z
      .string()
      .regex(/^\d{1,4}$/, 'spending:errors.page')
      .transform(Number),
  ),
});

export const YearQuery = z.object({ year: YearParam });

export const ExecutionApiQuery = z.object({
  level: z.enum(['department', 'province', 'municipality'], { message: 'spending:errors.level' }).default('municipality'),
  year: YearParam,
  department: opt(z.string().regex(/^\d{2}$/, 'municipalities:errors.department_format')),
  province: opt(z.string().regex(/^\d{4}$/, 'municipalities:errors.province_format')),
  type: opt(z.enum(['provincial', 'distrital'], { message: 'municipalities:errors.type' })),
  band: opt(z.enum(BAND_KEYS, { message: 'scores:errors.band' })),
  format: format(),
  ...PagingParams,
});

export const HistoryApiQuery = z.object({ level: opt(z.enum(['national', 'department'])), format: format() });
export const MunicipalityHistoryApiQuery = z.object({ format: format() });
export const MunicipalityExecutionApiQuery = z.object({ year: YearParam, format: format() });

const BY_VALUES = ['function', 'category', 'source', 'rubro', 'generic', 'project', 'month'] as const;
const By = z.enum(BY_VALUES, { message: 'spending:errors.by' });

export const MunicipalitySpendingQuery = z.object({ year: YearParam, by: By.default('function'), format: format() });

export const AreaSpendingQuery = z
  .object({
    level: z.enum(['national', 'department', 'province'], { message: 'spending:errors.area_level' }).default('national'),
    code: opt(z.string().regex(/^\d{2}(\d{2})?$/, 'spending:errors.area_code')),
    year: YearParam,
    by: By.default('function'),
    format: format(),
  })
  .superRefine((v, ctx) => {
    const need = v.level === 'department' ? 2 : v.level === 'province' ? 4 : 0;
    if (need && (v.code ?? '').length !== need) ctx.addIssue({ code: 'custom', path: ['code'], message: 'spending:errors.area_code' });
  });

export const MunicipalitySpendingPageQuery = z.object({ year: YearParam, by: By.default('function') });

export const MapQuery = z.object({
  year: YearParam,
  level: opt(z.enum(['department', 'province'], { message: 'spending:errors.map_level' })),
});

const UbigeoList = z.preprocess((v) => (v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((s) => String(s).trim()).filter(Boolean)), z.array(ubigeo('spending:errors.compare_ubigeo')));

export const CompareQuery = z.object({ u: UbigeoList, year: YearParam });
/** The query of an operation whose only choice is the format (json or csv). */
export const FormatOnlyQuery = z.object({ format: format() });
