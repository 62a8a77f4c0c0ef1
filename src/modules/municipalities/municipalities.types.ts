export interface Department {
  code: string;
  name: string;
  name_mef: string;
  iso_3166_2: string;
  capital: string;
  population: number;
  surface_km2: number | null;
  latitude: number | null;
  longitude: number | null;
}

export interface Province {
  code: string;
  department_code: string;
  name: string;
  capital: string;
  population: number;
  surface_km2: number | null;
  municipality_count?: number;
}

export type MunicipalityType = 'provincial' | 'distrital';

export interface Municipality {
  ubigeo: string;
  department_code: string;
  department: string;
  province_code: string;
  province: string;
  district: string;
  type: MunicipalityType;
  name_mef: string;
  sec_ejec: string | null;
  capital: string;
  capital_category: string | null;
  population: number;
  surface_km2: number | null;
  altitude_m: number | null;
  latitude: number | null;
  longitude: number | null;
}

export interface MunicipalityFilter {
  department?: string;
  province?: string;
  type?: MunicipalityType;
  q?: string;
}

/**
 * What the directory pages show of spending: the spending service, wired in app.ts. A port,
 * not an import, because spending depends on this module (its pages name municipalities).
 */
export interface SpendingFigures {
  years(): Promise<Array<{ year: number; partial: boolean }>>;
  defaultYear(): Promise<number | null>;
  ranking(query: { level: 'department' | 'province' | 'municipality'; year: number; department?: string }): Promise<{ year: unknown; rows: Array<{ code: string }>; total: unknown }>;
  forMunicipality(ubigeo: string): Promise<unknown[]>;
}
