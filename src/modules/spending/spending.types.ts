import type { Amounts } from '../../lib/amounts';

export type Level = 'department' | 'province' | 'municipality';

export interface ExecutionYear {
  year: number;
  source: string;
  cut_off: string;
  /** The cut-off date is only approximately known (e.g. the bundled 2025 snapshot). */
  cut_off_approximate: boolean;
  partial: boolean;
  label: string;
}

export interface MunicipalityExecution extends Amounts {
  ubigeo: string;
  year: number;
  source: string;
  name: string;
  district: string;
  department_code: string;
  department: string;
  province_code: string;
  province: string;
  type: string;
  population: number;
}

export interface RankedRow extends Amounts {
  code: string;
  name: string;
  parent?: string;
  type?: string;
  population: number;
  execution_pct: number | null;
  rank: number | null;
  /** 1 (lowest execution %) … 5 (highest) among all rows of the level and year. */
  quintile: number | null;
  count?: number;
  source?: string;
}
