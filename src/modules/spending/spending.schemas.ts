import { z } from 'zod';
import { SORTABLE } from './spending.service';

const opt = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

export const Year = z
  .number({ message: 'spending:errors.year' })
  .int('spending:errors.year')
  .min(2000, 'spending:errors.year')
  .max(2100, 'spending:errors.year');

const YearParam = z.preprocess((v) => (v === '' ? undefined : v), z.string().regex(/^\d{4}$/, 'spending:errors.year').transform(Number).pipe(Year).optional());

export const RankingPageQuery = z.object({
  year: YearParam,
  level: opt(z.enum(['department', 'province', 'municipality'], { message: 'spending:errors.level' })),
  department: opt(z.string().regex(/^\d{2}$/, 'municipalities:errors.department_format')),
  type: opt(z.enum(['provincial', 'distrital'], { message: 'municipalities:errors.type' })),
  sort: opt(z.enum(SORTABLE, { message: 'spending:errors.sort' })),
  dir: opt(z.enum(['asc', 'desc'], { message: 'spending:errors.dir' })),
  page: opt(z.string().regex(/^\d{1,4}$/, 'spending:errors.page').transform(Number)),
});

export const YearQuery = z.object({ year: YearParam });

export const ExecutionApiQuery = z.object({
  level: z.enum(['department', 'province', 'municipality'], { message: 'spending:errors.level' }).default('municipality'),
  year: YearParam,
  department: opt(z.string().regex(/^\d{2}$/, 'municipalities:errors.department_format')),
  format: z.enum(['json', 'csv'], { message: 'errors:validation.format' }).default('json'),
});

export const MunicipalityExecutionApiQuery = z.object({
  year: YearParam,
  format: z.enum(['json', 'csv'], { message: 'errors:validation.format' }).default('json'),
});
