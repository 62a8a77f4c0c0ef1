import { z } from 'zod';
import { figuresYear, format, opt, ubigeo } from '../../lib/schemas';

export const Ubigeo = ubigeo('municipalities:errors.ubigeo_format');
export const DepartmentCode = z.string().regex(/^\d{2}$/, 'municipalities:errors.department_format');
export const ProvinceCode = z.string().regex(/^\d{4}$/, 'municipalities:errors.province_format');
export const MunicipalityTypeSchema = z.enum(['provincial', 'distrital'], { message: 'municipalities:errors.type' });

export const MunicipalityListQuery = z.object({
  department: opt(DepartmentCode),
  province: opt(ProvinceCode),
  type: opt(MunicipalityTypeSchema),
  q: opt(z.string().max(100, 'municipalities:errors.q_too_long')),
  format: format(),
});

/** The year of the spending figures a department page shows. */
export const YearQuery = z.object({ year: opt(figuresYear('spending:errors.year')) });
export const DepartmentQuery = z.object({ year: opt(figuresYear('spending:errors.year')), province: opt(ProvinceCode) });

export const SearchQuery = z.object({
  q: z.string({ message: 'municipalities:errors.q_text' }).max(100, 'municipalities:errors.q_too_long').default(''),
});
