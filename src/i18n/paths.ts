import type { Lang } from './index';

/**
 * Page paths per language (public pages and those behind login). Every page exists under both prefixes; the language
 * switcher maps a page to its twin through its name.
 */
export const PAGE_PATHS = {
  home: { es: '/', en: '/' },
  departments: { es: '/departamentos', en: '/departments' },
  department: { es: '/departamentos/:code', en: '/departments/:code' },
  municipality: { es: '/municipalidades/:ubigeo', en: '/municipalities/:ubigeo' },
  search: { es: '/buscar', en: '/search' },
  ranking: { es: '/ejecucion', en: '/execution' },
  history: { es: '/historico', en: '/history' },
  about: { es: '/acerca', en: '/about' },
  monitors: { es: '/monitores', en: '/monitors' },
  login: { es: '/login', en: '/login' },
  logout: { es: '/salir', en: '/logout' },
  register: { es: '/registro', en: '/register' },
  confirm: { es: '/confirmar', en: '/confirm' },
  forgot: { es: '/contrasena/olvido', en: '/password/forgot' },
  reset: { es: '/contrasena/nueva', en: '/password/reset' },
  account: { es: '/cuenta', en: '/account' },
  account_email: { es: '/cuenta/correo', en: '/account/email' },
  account_password: { es: '/cuenta/contrasena', en: '/account/password' },
  account_delete: { es: '/cuenta/eliminar', en: '/account/delete' },
  account_role: { es: '/cuenta/rol', en: '/account/role' },
  second_factor: { es: '/cuenta/verificacion', en: '/account/verification' },
  manage: { es: '/gestion/:ubigeo', en: '/manage/:ubigeo' },
  pb_items: { es: '/presupuesto-participativo', en: '/participatory-budget' },
  pb_item: { es: '/presupuesto-participativo/proyectos/:id', en: '/participatory-budget/items/:id' },
  pb_evidence: { es: '/presupuesto-participativo/evidencias/:id', en: '/participatory-budget/evidence/:id' },
  pb_process: { es: '/presupuesto-participativo/:ubigeo/:year', en: '/participatory-budget/:ubigeo/:year' },
  hearings: { es: '/rendicion-de-cuentas', en: '/accountability' },
  hearing: { es: '/rendicion-de-cuentas/audiencias/:id', en: '/accountability/hearings/:id' },
  hearing_report: { es: '/rendicion-de-cuentas/audiencias/:id/informe', en: '/accountability/hearings/:id/report' },
  commitments: { es: '/rendicion-de-cuentas/compromisos', en: '/accountability/commitments' },
  commitment: { es: '/rendicion-de-cuentas/compromisos/:id', en: '/accountability/commitments/:id' },
  delivery: { es: '/municipalidades/:ubigeo/cumplimiento', en: '/municipalities/:ubigeo/delivery' },
  unsubscribe: { es: '/dejar-de-seguir', en: '/unsubscribe' },
  follow: { es: '/seguir', en: '/follow' },
  unfollow: { es: '/seguir/quitar', en: '/follow/remove' },
  observe: { es: '/observaciones', en: '/observations' },
  dispute: { es: '/evidencias/disputar', en: '/evidence/dispute' },
  manage_participation: { es: '/gestion/:ubigeo/participacion', en: '/manage/:ubigeo/participation' },
  manage_process_new: { es: '/gestion/:ubigeo/procesos/nuevo', en: '/manage/:ubigeo/processes/new' },
  manage_process: { es: '/gestion/:ubigeo/procesos/:id', en: '/manage/:ubigeo/processes/:id' },
  manage_item_new: { es: '/gestion/:ubigeo/proyectos/nuevo', en: '/manage/:ubigeo/items/new' },
  manage_item: { es: '/gestion/:ubigeo/proyectos/:id', en: '/manage/:ubigeo/items/:id' },
  manage_item_withdraw: { es: '/gestion/:ubigeo/proyectos/:id/retirar', en: '/manage/:ubigeo/items/:id/withdraw' },
  manage_milestone: { es: '/gestion/:ubigeo/proyectos/:id/hitos', en: '/manage/:ubigeo/items/:id/milestones' },
  manage_hearing_new: { es: '/gestion/:ubigeo/audiencias/nueva', en: '/manage/:ubigeo/hearings/new' },
  manage_hearing: { es: '/gestion/:ubigeo/audiencias/:id', en: '/manage/:ubigeo/hearings/:id' },
  manage_hearing_withdraw: { es: '/gestion/:ubigeo/audiencias/:id/retirar', en: '/manage/:ubigeo/hearings/:id/withdraw' },
  manage_commitment_new: { es: '/gestion/:ubigeo/audiencias/:id/compromisos', en: '/manage/:ubigeo/hearings/:id/commitments' },
  manage_commitment: { es: '/gestion/:ubigeo/compromisos/:id', en: '/manage/:ubigeo/commitments/:id' },
  manage_commitment_update: { es: '/gestion/:ubigeo/compromisos/:id/avances', en: '/manage/:ubigeo/commitments/:id/updates' },
  manage_observation: { es: '/gestion/:ubigeo/observaciones/:id/respuesta', en: '/manage/:ubigeo/observations/:id/answer' },
  manage_dispute: { es: '/gestion/:ubigeo/disputas/:id/respuesta', en: '/manage/:ubigeo/disputes/:id/answer' },
  manage_import: { es: '/gestion/:ubigeo/importar', en: '/manage/:ubigeo/import' },
  manage_mef: { es: '/gestion/:ubigeo/gasto-mef', en: '/manage/:ubigeo/mef-spending' },
  manage_mef_status: { es: '/gestion/:ubigeo/gasto-mef/:id', en: '/manage/:ubigeo/mef-spending/:id' },
  admin_users: { es: '/admin/usuarios', en: '/admin/users' },
  admin_user_role: { es: '/admin/usuarios/:id/rol', en: '/admin/users/:id/role' },
  admin_user_status: { es: '/admin/usuarios/:id/estado', en: '/admin/users/:id/status' },
  admin_user_request: { es: '/admin/usuarios/:id/solicitud', en: '/admin/users/:id/request' },
  admin_audit: { es: '/admin/auditoria', en: '/admin/audit' },
  rate: { es: '/municipalidades/:ubigeo/calificar', en: '/municipalities/:ubigeo/rate' },
  satisfaction: { es: '/municipalidades/:ubigeo/satisfaccion', en: '/municipalities/:ubigeo/satisfaction' },
  my_feedback: { es: '/cuenta/opiniones', en: '/account/feedback' },
  my_feedback_delete: { es: '/cuenta/opiniones/:id/eliminar', en: '/account/feedback/:id/delete' },
  manage_comments: { es: '/gestion/:ubigeo/comentarios', en: '/manage/:ubigeo/comments' },
  manage_comment_answer: { es: '/gestion/:ubigeo/comentarios/:id/respuesta', en: '/manage/:ubigeo/comments/:id/answer' },
  moderation: { es: '/moderacion', en: '/moderation' },
  moderation_decide: { es: '/moderacion/:type/:id', en: '/moderation/:type/:id' },
  moderation_dispute: { es: '/moderacion/disputas/:id', en: '/moderation/disputes/:id' },
  flag: { es: '/reportar', en: '/report' },
  admin_areas: { es: '/admin/areas', en: '/admin/areas' },
  scores_ranking: { es: '/indice', en: '/score' },
  methodology: { es: '/indice/metodologia', en: '/score/methodology' },
  admin_weights: { es: '/admin/pesos', en: '/admin/weights' },
  spending_municipality: { es: '/municipalidades/:ubigeo/gasto', en: '/municipalities/:ubigeo/spending' },
  spending_area: { es: '/gasto', en: '/spending' },
  spending_categories: { es: '/gasto/categorias', en: '/spending/categories' },
  compare: { es: '/comparar', en: '/compare' },
  spending_map: { es: '/mapa', en: '/map' },
  open_data: { es: '/datos', en: '/data' },
  results_chain: { es: '/municipalidades/:ubigeo/resultados', en: '/municipalities/:ubigeo/results' },
  results_indicators: { es: '/resultados/indicadores', en: '/results/indicators' },
  manage_results: { es: '/gestion/:ubigeo/resultados', en: '/manage/:ubigeo/results' },
  manage_results_plan: { es: '/gestion/:ubigeo/resultados/planes', en: '/manage/:ubigeo/results/plans' },
  manage_results_objective: { es: '/gestion/:ubigeo/resultados/planes/:id/objetivos', en: '/manage/:ubigeo/results/plans/:id/objectives' },
  manage_results_indicator_new: { es: '/gestion/:ubigeo/resultados/indicadores/nuevo', en: '/manage/:ubigeo/results/indicators/new' },
  manage_results_indicator: { es: '/gestion/:ubigeo/resultados/indicadores/:id', en: '/manage/:ubigeo/results/indicators/:id' },
  manage_results_value: { es: '/gestion/:ubigeo/resultados/indicadores/:id/valores', en: '/manage/:ubigeo/results/indicators/:id/values' },
  manage_results_import: { es: '/gestion/:ubigeo/resultados/importar', en: '/manage/:ubigeo/results/import' },
} as const satisfies Record<string, Record<Lang, string>>;

export type PageName = keyof typeof PAGE_PATHS;

/** Builds a language-prefixed URL for a page, encoding its parameters. */
export function pageUrl(lng: Lang, name: PageName, params: Record<string, string | number> = {}, query?: Record<string, string | number | undefined>): string {
  let p: string = PAGE_PATHS[name][lng];
  p = p.replace(/:([a-z_]+)/gi, (_, key: string) => encodeURIComponent(String(params[key] ?? '')));
  const base = p === '/' ? `/${lng}/` : `/${lng}${p}`;
  if (!query) return base;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${base}?${s}` : base;
}
