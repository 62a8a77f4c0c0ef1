import type { Knex } from 'knex';
import * as m20260101000000 from './20260101000000_create_directory';
import * as m20260101000100 from './20260101000100_create_execution_totals';
import * as m20260101000200 from './20260101000200_create_history';
import * as m20260201000000 from './20260201000000_create_users';
import * as m20260201000100 from './20260201000100_create_auth_tokens';
import * as m20260201000200 from './20260201000200_create_sessions';
import * as m20260201000300 from './20260201000300_create_login_failures';
import * as m20260201000400 from './20260201000400_create_audit_log';
import * as m20260401000000 from './20260401000000_create_pb_processes';
import * as m20260401000100 from './20260401000100_create_pb_items';
import * as m20260401000200 from './20260401000200_create_hearings';
import * as m20260401000300 from './20260401000300_create_commitments';
import * as m20260501000000 from './20260501000000_create_service_areas';
import * as m20260501000100 from './20260501000100_create_ratings';
import * as m20260501000200 from './20260501000200_create_feedback_comments';
import * as m20260501000300 from './20260501000300_create_score_weights';
import * as m20260501000400 from './20260501000400_create_scores';
import * as m20260601000000 from './20260601000000_add_pb_items_list_index';
import * as m20260601000100 from './20260601000100_create_data_versions';
import * as m20260301000000 from './20260301000000_create_mef_codes';
import * as m20260301000100 from './20260301000100_create_mef_gasto_facts';
import * as m20260301000200 from './20260301000200_create_mef_gasto_rollups';
import * as m20260301000300 from './20260301000300_add_content_digest_to_import_runs';
import * as m20260402000000 from './20260402000000_create_pb_milestones';
import * as m20260402000100 from './20260402000100_create_commitment_updates';
import * as m20260402000200 from './20260402000200_create_participation_history';
import * as m20260402000300 from './20260402000300_create_follows';
import * as m20260402000400 from './20260402000400_create_observations';
import * as m20260402000500 from './20260402000500_create_participation_imports';
import * as m20261205200000 from './20261205200000_add_set_by_to_mef_codes';
import * as m20261205100000 from './20261205100000_create_second_factor_failures';
import * as m20261205100100 from './20261205100100_add_account_ip_index_to_login_failures';
import * as m20261205300000 from './20261205300000_add_changes_to_participation_history';
import * as m20261205300100 from './20261205300100_add_baselines_to_pb_items';
import * as m20261205300200 from './20261205300200_add_baseline_to_commitments';
import * as m20261205300300 from './20261205300300_add_state_to_hearings';
import * as m20261205300400 from './20261205300400_create_disputes';
import * as m20261205300500 from './20261205300500_add_moderation_to_observations';
import * as m20261205300600 from './20261205300600_add_moderation_to_feedback_comments';
import * as m20261205300700 from './20261205300700_create_content_flags';
import * as m20261205400000 from './20261205400000_convert_timestamps_of_participation_tables';
import * as m20261205210000 from './20261205210000_add_cut_off_approximate_to_execution_years';
import * as m20261205400100 from './20261205400100_convert_imported_at_of_import_runs';
import * as m20261205150000 from './20261205150000_create_history_series';
import * as m20261205600000 from './20261205600000_create_import_jobs';
import * as m20261205700000 from './20261205700000_create_results_tables';
import * as m20261205700100 from './20261205700100_add_indicators_component_to_scores';
import * as m20261205800000 from './20261205800000_create_pb_proposals';
import * as m20261205800100 from './20261205800100_create_hearing_questions';
import * as m20261206100000 from './20261206100000_add_digest_preferences_to_users';
import * as m20261206100100 from './20261206100100_widen_entity_id_of_follows';
import * as m20261206100200 from './20261206100200_add_ubigeo_to_import_runs';
import * as m20261206200000 from './20261206200000_create_pb_proposal_comments';
import * as m20261206200100 from './20261206200100_add_proposer_to_pb_proposals';
import * as m20261206200200 from './20261206200200_create_pb_workshop_acts';
import * as m20261207100000 from './20261207100000_index_rollups_by_level_dim_area';

/** Every migration, in order. A test checks that each file in this folder is listed here. */
export const migrations: Record<string, { up: (k: Knex) => Promise<void>; down: (k: Knex) => Promise<void> }> = {
  '20260101000000_create_directory': m20260101000000,
  '20260101000100_create_execution_totals': m20260101000100,
  '20260101000200_create_history': m20260101000200,
  '20260201000000_create_users': m20260201000000,
  '20260201000100_create_auth_tokens': m20260201000100,
  '20260201000200_create_sessions': m20260201000200,
  '20260201000300_create_login_failures': m20260201000300,
  '20260201000400_create_audit_log': m20260201000400,
  '20260401000000_create_pb_processes': m20260401000000,
  '20260401000100_create_pb_items': m20260401000100,
  '20260401000200_create_hearings': m20260401000200,
  '20260401000300_create_commitments': m20260401000300,
  '20260501000000_create_service_areas': m20260501000000,
  '20260501000100_create_ratings': m20260501000100,
  '20260501000200_create_feedback_comments': m20260501000200,
  '20260501000300_create_score_weights': m20260501000300,
  '20260501000400_create_scores': m20260501000400,
  '20260601000000_add_pb_items_list_index': m20260601000000,
  '20260601000100_create_data_versions': m20260601000100,
  '20260301000000_create_mef_codes': m20260301000000,
  '20260301000100_create_mef_gasto_facts': m20260301000100,
  '20260301000200_create_mef_gasto_rollups': m20260301000200,
  '20260301000300_add_content_digest_to_import_runs': m20260301000300,
  '20260402000000_create_pb_milestones': m20260402000000,
  '20260402000100_create_commitment_updates': m20260402000100,
  '20260402000200_create_participation_history': m20260402000200,
  '20260402000300_create_follows': m20260402000300,
  '20260402000400_create_observations': m20260402000400,
  '20260402000500_create_participation_imports': m20260402000500,
  '20261205200000_add_set_by_to_mef_codes': m20261205200000,
  '20261205100000_create_second_factor_failures': m20261205100000,
  '20261205100100_add_account_ip_index_to_login_failures': m20261205100100,
  '20261205300000_add_changes_to_participation_history': m20261205300000,
  '20261205300100_add_baselines_to_pb_items': m20261205300100,
  '20261205300200_add_baseline_to_commitments': m20261205300200,
  '20261205300300_add_state_to_hearings': m20261205300300,
  '20261205300400_create_disputes': m20261205300400,
  '20261205300500_add_moderation_to_observations': m20261205300500,
  '20261205300600_add_moderation_to_feedback_comments': m20261205300600,
  '20261205300700_create_content_flags': m20261205300700,
  '20261205400000_convert_timestamps_of_participation_tables': m20261205400000,
  '20261205210000_add_cut_off_approximate_to_execution_years': m20261205210000,
  '20261205400100_convert_imported_at_of_import_runs': m20261205400100,
  '20261205150000_create_history_series': m20261205150000,
  '20261205600000_create_import_jobs': m20261205600000,
  '20261205700000_create_results_tables': m20261205700000,
  '20261205700100_add_indicators_component_to_scores': m20261205700100,
  '20261205800000_create_pb_proposals': m20261205800000,
  '20261205800100_create_hearing_questions': m20261205800100,
  '20261206100000_add_digest_preferences_to_users': m20261206100000,
  '20261206100100_widen_entity_id_of_follows': m20261206100100,
  '20261206100200_add_ubigeo_to_import_runs': m20261206100200,
  '20261206200000_create_pb_proposal_comments': m20261206200000,
  '20261206200100_add_proposer_to_pb_proposals': m20261206200100,
  '20261206200200_create_pb_workshop_acts': m20261206200200,
  '20261207100000_index_rollups_by_level_dim_area': m20261207100000,
};

export const migrationSource: Knex.MigrationSource<string> = {
  async getMigrations() {
    return Object.keys(migrations).sort();
  },
  getMigrationName(name) {
    return name;
  },
  async getMigration(name) {
    return migrations[name];
  },
};
