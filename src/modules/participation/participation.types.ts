/** Status catalogue of prioritised items, with the progress % each one implies by default. */
export const ITEM_STATUSES = ['en_formulacion', 'en_ejecucion', 'culminado', 'paralizado'] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];
export const DEFAULT_PROGRESS: Record<ItemStatus, number | null> = { en_formulacion: 0, en_ejecucion: null, culminado: 100, paralizado: null };

export const COMMITMENT_STATUSES = ['pendiente', 'en_proceso', 'cumplido', 'incumplido'] as const;
export type CommitmentStatus = (typeof COMMITMENT_STATUSES)[number];

/** States of a hearing: convened first, then held, not held or cancelled. */
export const HEARING_STATES = ['convocada', 'realizada', 'no_realizada', 'cancelada'] as const;
export type HearingState = (typeof HEARING_STATES)[number];

export const ENTITY_TYPES = ['pb_item', 'commitment'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];
/**
 * What can be followed: items, commitments and residents' proposals, processes, hearings, and a
 * whole municipality (its entity id is the ubigeo; it covers everything of that municipality).
 */
export const FOLLOW_TYPES = [...ENTITY_TYPES, 'pb_proposal', 'pb_process', 'hearing', 'municipality'] as const;
export type FollowType = (typeof FOLLOW_TYPES)[number];
import type { DigestFrequency } from '../accounts';
export type { DigestFrequency };
/** The accounts module's keeper of a user's digest frequency (wired in app.ts). */
export interface DigestPreferencesPort {
  setFrequency(userId: number, frequency: DigestFrequency): Promise<void>;
}

/** Topics residents group their questions to a hearing by. */
export const QUESTION_TOPICS = ['obras', 'servicios', 'presupuesto', 'seguridad', 'ambiente', 'otros'] as const;
export type QuestionTopic = (typeof QUESTION_TOPICS)[number];

export const PHASES = ['preparacion', 'concertacion', 'coordinacion', 'formalizacion'] as const;

export interface ProcessRow {
  id: number;
  ubigeo: string;
  year: number;
  ordinance: string | null;
  agentes_participantes: number | null;
  budget_envelope: number | null;
  preparacion_start: string | null;
  preparacion_end: string | null;
  concertacion_start: string | null;
  concertacion_end: string | null;
  coordinacion_start: string | null;
  coordinacion_end: string | null;
  formalizacion_start: string | null;
  formalizacion_end: string | null;
  committee_members: string | null;
  committee_contact: string | null;
  is_example: boolean;
}

export interface ItemRow {
  id: number;
  process_id: number;
  ubigeo: string;
  year: number;
  priority: number;
  title_es: string;
  title_en: string | null;
  description_es: string | null;
  description_en: string | null;
  cui: string | null;
  total_cost: number;
  pia_amount: number | null;
  funding_source: string | null;
  beneficiaries: number | null;
  latitude: number | null;
  longitude: number | null;
  district_ubigeo: string | null;
  start_date: string | null;
  planned_end: string | null;
  status: string;
  progress_pct: number;
  finished_on: string | null;
  /** First published planned end and cost: promises are judged against them. */
  baseline_planned_end: string | null;
  baseline_total_cost: number | null;
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
  is_example: boolean;
  municipality?: string;
  department?: string;
  overdue?: boolean;
}

export interface HearingRow {
  id: number;
  ubigeo: string;
  held_on: string;
  state: string;
  state_reason: string | null;
  agenda_es: string | null;
  agenda_en: string | null;
  withdrawn_at: string | null;
  withdrawn_reason: string | null;
  period_from: string | null;
  period_to: string | null;
  place: string | null;
  link: string | null;
  report_file: string | null;
  report_original_name: string | null;
  summary_es: string | null;
  summary_en: string | null;
  attendance: number | null;
  is_example: boolean;
  municipality?: string;
}

export interface CommitmentRow {
  id: number;
  hearing_id: number;
  ubigeo: string;
  text_es: string;
  text_en: string | null;
  responsible_office: string | null;
  due_on: string;
  /** First published due date. */
  baseline_due_on: string;
  status: string;
  fulfilled_on: string | null;
  is_example: boolean;
  municipality?: string;
  department?: string;
  overdue?: boolean;
}

/** Filters of the public lists; every identifier is from an allow-list. */
export interface ListFilter {
  ubigeo?: string;
  department?: string;
  year?: number;
  status?: string;
  overdue?: boolean;
}
