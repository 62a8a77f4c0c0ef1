import { z } from 'zod';

export const Ubigeo = z.string().regex(/^\d{6}$/, 'municipalities:errors.ubigeo_format');
export const DepartmentCode = z.string().regex(/^\d{2}$/, 'municipalities:errors.department_format');
export const ProvinceCode = z.string().regex(/^\d{4}$/, 'municipalities:errors.province_format');
export const MunicipalityTypeSchema = z.enum(['provincial', 'distrital'], { message: 'municipalities:errors.type' });

const single = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === '' ? undefined : v), s.optional());

export const Format = z.enum(['json', 'csv'], { message: 'errors:validation.format' }).default('json');

export const MunicipalityListQuery = z.object({
  department: single(DepartmentCode),
  province: single(ProvinceCode),
  type: single(MunicipalityTypeSchema),
  q: single(z.string().max(100, 'municipalities:errors.q_too_long')),
  format: Format,
});

export const SearchQuery = z.object({
  q: z.string({ message: 'municipalities:errors.q_text' }).max(100, 'municipalities:errors.q_too_long').default(''),
});
