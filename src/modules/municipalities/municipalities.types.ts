import type { Formatters } from '../../i18n';
import type { Amounts } from '../../lib/amounts';
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

/** A municipality of past years that is not in today's directory, linked to its successor (its figures are never the successor's). */
export interface Predecessor {
  ubigeo: string;
  sec_ejec: string;
  name_mef: string;
  department_code: string;
  province_code: string;
  first_year: number;
  last_year: number;
  successor_ubigeo: string;
  successor_district: string;
  successor_name_mef: string;
  department: string;
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
/** A year of spending data as the spending module describes it. */
export interface FiguresYear {
  year: number;
  source: string;
  cut_off: string;
  partial: boolean;
  label: string;
}

/** One ranked row (department, province or municipality) of a year's execution. */
export interface FiguresRow extends Amounts {
  code: string;
  name: string;
  execution_pct: number | null;
  rank: number | null;
  quintile: number | null;
  population: number;
}

/** A municipality's execution in one year, with its national and department rank. */
export interface MunicipalityYearFigures extends Amounts {
  year: number;
  cut_off: string | null;
  cut_off_approximate: boolean;
  label: string | null;
  partial: boolean;
  source: string;
  execution_pct: number | null;
  rank_national: number | null;
  count_national: number;
  rank_department: number | null;
  count_department: number;
  rank_province: number | null;
  count_province: number;
  /** Peers: same type and population band (municipalities.names POPULATION_BANDS). */
  rank_peers: number | null;
  count_peers: number;
  peer_band: string;
  peer_type: string;
}

/**
 * What the municipality pages need from the spending module (a port, wired in app.ts): the
 * types are restated here, structurally, so that municipalities does not import spending.
 */
export interface SpendingFigures {
  years(): Promise<Array<{ year: number; partial: boolean }>>;
  defaultYear(): Promise<number | null>;
  ranking(query: { level: 'department' | 'province' | 'municipality'; year: number; department?: string; province?: string }): Promise<{ year: FiguresYear; rows: FiguresRow[]; total: FiguresRow }>;
  forMunicipality(ubigeo: string): Promise<readonly MunicipalityYearFigures[]>;
}

/**
 * The history block of a municipality's page (execution trend 2012–, revenue, predecessor links),
 * built by the spending module (wired in app.ts); `place` names it in the chart, `locals` are the
 * page's t and fmt.
 */
export type HistoryFor = (ubigeo: string, place: string, locals: { t: (key: string, opts?: Record<string, unknown>) => string; fmt: Formatters }) => Promise<Record<string, unknown>>;

/**
 * Participation and accountability at a glance (the participation module's own rules, wired in
 * app.ts as a port: this module does not import participation).
 */
export interface ParticipationGlance {
  /** Participatory-budget items by status (en_formulacion, en_ejecucion, culminado, paralizado). */
  byStatus: Record<string, number>;
  /** Commitments whose baseline due date has passed, and those fulfilled by it. */
  dueCount: number;
  onTime: number;
  /** Per year: the legally required hearings (May, September) held on time. */
  hearingYears: Array<{ year: number; first: boolean; second: boolean; onTime: number }>;
  hasExamples: boolean;
}
export type ParticipationGlancePort = (ubigeo: string) => Promise<ParticipationGlance>;

/** Whether a signed-in user follows a municipality (participation module, wired in app.ts). */
export type FollowingPort = (userId: number, ubigeo: string) => Promise<boolean>;

/** The years of detailed MEF spending (by function, category…) a municipality has (spending module, wired in app.ts). */
export type DetailYearsPort = (ubigeo: string) => Promise<number[]>;
