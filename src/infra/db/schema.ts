// Row types of every table, shared by both dialects. Timestamps are ISO-8601 UTC strings and
// JSON columns are JSON text on both dialects (see database.ts for the PostgreSQL type parsers).
export type Role = 'learner' | 'instructor' | 'admin';

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: Role;
  created_at: string;
  updated_at: string;
  password_changed_at: string;
  disabled_at: string | null;
  last_login_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token; the token itself is never stored. */
  id: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface LoginThrottleTable {
  /** Normalised login identifier (the email as typed, lower-cased). */
  key: string;
  failures: number;
  first_failure_at: string;
  locked_until: string | null;
}

export interface AuditLogTable {
  id: string;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  details: string | null;
  ip: string | null;
  created_at: string;
}

export type JobStateColumn = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';

/** Background jobs (src/infra/queue): the record the API and the Jobs page read. */
export interface JobsTable {
  id: string;
  type: string;
  /** JSON text. */
  payload: string;
  state: JobStateColumn;
  progress: number;
  message: string | null;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  user_id: string | null;
  /** Shown to the person who asked. */
  failure_reason: string | null;
  /** The internal error message (no stack), for administrators. */
  error_detail: string | null;
  /** JSON text. */
  result: string | null;
  created_at: string;
  updated_at: string;
  started_at: string | null;
  finished_at: string | null;
  run_after: string;
  lease_expires_at: string | null;
  locked_by: string | null;
}

/** Cron-like schedules; each tick is claimed by one instance with a conditional UPDATE. */
export interface JobSchedulesTable {
  name: string;
  cron: string;
  type: string;
  /** JSON text. */
  payload: string;
  next_run_at: string;
  last_run_at: string | null;
  updated_at: string;
}

/** The LLM usage ledger (src/infra/llm): one row per gateway call, successful or not. */
export interface LlmCallsTable {
  id: string;
  created_at: string;
  /** UTC day of created_at, YYYY-MM-DD. */
  day: string;
  provider: string;
  model: string;
  feature: string;
  operation: 'object' | 'text';
  prompt_id: string;
  prompt_version: number;
  user_id: string | null;
  job_id: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  cost_usd: number | null;
  price_effective_from: string | null;
  latency_ms: number;
  retries: number;
  finish_reason: string | null;
  status: 'ok' | 'error';
  error_code: string | null;
  error_message: string | null;
}

/** Per-user daily token budgets set by an administrator (0 = unlimited). */
export interface LlmBudgetOverridesTable {
  user_id: string;
  daily_tokens: number;
  updated_at: string;
  updated_by: string | null;
}

/** Tokens per user per UTC day with real providers, kept by a trigger on llm_calls. */
export interface LlmDailyUsageTable {
  user_id: string;
  day: string;
  tokens: number;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  login_throttle: LoginThrottleTable;
  audit_log: AuditLogTable;
  llm_calls: LlmCallsTable;
  llm_budget_overrides: LlmBudgetOverridesTable;
  llm_daily_usage: LlmDailyUsageTable;
  jobs: JobsTable;
  job_schedules: JobSchedulesTable;
  files: FilesTable;
  graph_nodes: GraphNodesTable;
  graph_edges: GraphEdgesTable;
  graph_imports: GraphImportsTable;
  questions: QuestionsTable;
  question_imports: QuestionImportsTable;
  question_tags: QuestionTagsTable;
  question_ocr_batches: QuestionOcrBatchesTable;
  question_ocr_sources: QuestionOcrSourcesTable;
  tracker_papers: TrackerPapersTable;
  tracker_paper_questions: TrackerPaperQuestionsTable;
  tracker_question_nodes: TrackerQuestionNodesTable;
  tracker_results: TrackerResultsTable;
  tracker_result_marks: TrackerResultMarksTable;
  tracker_learner_versions: TrackerLearnerVersionsTable;
  tracker_dashboard_cache: TrackerDashboardCacheTable;
  tracker_learner_stats: TrackerLearnerStatsTable;
  tracker_cohort_stats: TrackerCohortStatsTable;
  tracker_trends: TrackerTrendsTable;
  tracker_aggregate_runs: TrackerAggregateRunsTable;
  recommendation_sets: RecommendationSetsTable;
  recommendation_items: RecommendationItemsTable;
  question_responses: QuestionResponsesTable;
  bkt_skill_params: BktSkillParamsTable;
  mastery_states: MasteryStatesTable;
  mastery_evidence: MasteryEvidenceTable;
  review_cards: ReviewCardsTable;
  placement_tests: PlacementTestsTable;
  placement_responses: PlacementResponsesTable;
  path_roles: PathRolesTable;
  path_role_skills: PathRoleSkillsTable;
  path_role_resources: PathRoleResourcesTable;
  learning_paths: LearningPathsTable;
  path_modules: PathModulesTable;
  path_module_skills: PathModuleSkillsTable;
  path_module_questions: PathModuleQuestionsTable;
  path_lessons: PathLessonsTable;
}

export type FilePurpose = 'csv' | 'pptx' | 'image' | 'pdf';

/** Uploaded files (src/modules/files): the blob key is server-generated, the name is metadata. */
export interface FilesTable {
  id: string;
  key: string;
  owner_id: string;
  purpose: FilePurpose;
  original_name: string;
  content_type: string;
  size: number;
  /** Hex SHA-256 of the content. */
  sha256: string;
  created_at: string;
}

export type GraphNodeKind = 'concept' | 'skill';
export type GraphEdgeType = 'prerequisite' | 'part_of';

/** Knowledge graph nodes (src/modules/graph). Other modules reference `id`, never `external_id`. */
export interface GraphNodesTable {
  /** Ours, stable across re-imports. */
  id: string;
  /** The id in the curriculum's CSV files; unique. */
  external_id: string;
  kind: GraphNodeKind;
  name: string;
  description: string;
  subject: string | null;
  level: string | null;
  /** A concept's parent concept, or a skill's concept (graph_nodes.id). */
  parent_id: string | null;
  /** JSON object text: the CSV's extra columns, in file order. */
  attributes: string;
  /** Position of the row in its file (export order). */
  ordinal: number;
  created_at: string;
  updated_at: string;
}

/** prerequisite: source is needed before target; part_of: source belongs to target. */
export interface GraphEdgesTable {
  source_id: string;
  target_id: string;
  type: GraphEdgeType;
  /** JSON object text: the CSV's extra columns, in file order. */
  attributes: string;
  ordinal: number;
  created_at: string;
  updated_at: string;
}

/** One row per successful graph import. */
export interface GraphImportsTable {
  id: string;
  user_id: string | null;
  source: 'cli' | 'upload' | 'seed';
  /** 1 when rows missing from the files were removed. */
  pruned: number;
  /** JSON text: counts created / updated / unchanged / removed for nodes and edges. */
  summary: string;
  created_at: string;
}

// Question bank (src/modules/questions, migration 0007-questions).
export type QuestionTypeColumn =
  'single_choice' | 'multiple_choice' | 'true_false' | 'numeric' | 'short_answer' | 'written';
export type QuestionStatusColumn = 'draft' | 'review' | 'published';

/** One question; what differs by type is the JSON document in `answers` (question-model.ts). */
export interface QuestionsTable {
  id: string;
  type: QuestionTypeColumn;
  title: string | null;
  /** Markdown, or HTML when format is 'html'; sanitised when rendered. */
  stem: string;
  format: 'markdown' | 'html';
  /** JSON text: options / accepted answers / numeric answers / marks, by type. */
  answers: string;
  general_feedback: string | null;
  /** 1 (easiest) to 5 (hardest). */
  difficulty: number | null;
  irt_a: number | null;
  irt_b: number | null;
  irt_c: number | null;
  max_marks: number;
  source: string | null;
  category: string | null;
  status: QuestionStatusColumn;
  /** Lower-cased title, stem, answers and category: what free-text search matches. */
  search_text: string;
  import_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  /** Archived questions stay for the history that refers to them, out of every list. */
  archived_at: string | null;
}

/** One import run (a GIFT or CSV file), so later work (auto-tagging) can select "this import". */
export interface QuestionImportsTable {
  id: string;
  format: 'gift' | 'csv';
  file_name: string | null;
  question_count: number;
  created_by: string | null;
  created_at: string;
}

/**
 * A question's link to a knowledge-graph node (concept or skill). Suggested by a tagger (offline
 * or LLM) or written by a person; only accepted tags count elsewhere.
 */
export interface QuestionTagsTable {
  question_id: string;
  node_id: string;
  status: 'suggested' | 'accepted' | 'rejected';
  /** 0..1 for tagger suggestions; null for manual tags. */
  confidence: number | null;
  reason: string | null;
  source: 'offline' | 'llm' | 'manual';
  decided_by: string | null;
  decided_at: string | null;
  created_at: string;
}

// OCR ingestion (src/modules/questions/ocr-ingest-*, migration 0008-question-ocr).

/** One upload of images of printed questions. */
export interface QuestionOcrBatchesTable {
  id: string;
  image_count: number;
  created_by: string | null;
  created_at: string;
}

/** One uploaded image, what OCR read in it, and the draft question made from it. */
export interface QuestionOcrSourcesTable {
  id: string;
  batch_id: string;
  /** Order within the batch, from 0. */
  position: number;
  /** Server-generated (uploads/…); the user's file name is metadata only. */
  blob_key: string;
  file_name: string;
  content_type: 'image/png' | 'image/jpeg';
  size: number;
  sha256: string;
  width: number;
  height: number;
  /** The questions.ocr-draft job, once enqueued. */
  job_id: string | null;
  status: 'pending' | 'drafted' | 'failed';
  failure_reason: string | null;
  /** The draft made from this image; unique, so a retried job never makes a second one. */
  question_id: string | null;
  /** The recognised text as OCR returned it. */
  text: string | null;
  /** 0-100: mean word confidence. */
  confidence: number | null;
  /** JSON text: [{text, confidence, bbox: {x0, y0, x1, y1}}] in reading order. */
  words: string | null;
  /** JSON text: lines, same shape. */
  lines: string | null;
  recognised_at: string | null;
  reviewed_at: string | null;
  reviewed_by: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

// The learning record (src/modules/mastery and src/modules/practice, migration 0009-learning).

/** One answer a learner gave to a bank question outside a placement test. */
export interface QuestionResponsesTable {
  id: string;
  user_id: string;
  question_id: string;
  /** JSON text: the response as sent ({type, optionId | optionIds | value | text}). */
  response: string;
  /** 0..1 share of the question's credit. */
  score: number;
  correct: number;
  /** 1 when the answer was an opportunity for knowledge tracing (first attempt or a due review). */
  counted: number;
  kind: 'practice' | 'review';
  path_id: string | null;
  module_id: string | null;
  created_at: string;
}

/** BKT parameters fitted for one skill; a skill without a row uses the defaults. */
export interface BktSkillParamsTable {
  skill_id: string;
  prior: number;
  learn: number;
  guess: number;
  slip: number;
  forget: number;
  /** Learners whose answers the fit used. */
  learners: number;
  responses: number;
  log_likelihood: number;
  fitted_at: string;
}

/** A learner's BKT state on one skill: the one store every page that shows mastery reads. */
export interface MasteryStatesTable {
  user_id: string;
  skill_id: string;
  /** P(L) after the latest counted answer (or the placement test's estimate). */
  p_known: number;
  /** Counted answers so far. */
  attempts: number;
  source: 'placement' | 'practice';
  updated_at: string;
  last_answered_at: string | null;
}

/** What moved a learner's mastery of a skill: one row per counted answer or placement. */
export interface MasteryEvidenceTable {
  id: string;
  user_id: string;
  skill_id: string;
  kind: 'practice' | 'review' | 'placement';
  response_id: string | null;
  placement_id: string | null;
  correct: number | null;
  /** P(correct) predicted before the answer. */
  p_correct: number | null;
  p_before: number;
  p_after: number;
  created_at: string;
}

/** An FSRS review card (ts-fsrs) for one learner and question. */
export interface ReviewCardsTable {
  user_id: string;
  question_id: string;
  due: string;
  stability: number;
  difficulty: number;
  scheduled_days: number;
  learning_steps: number;
  reps: number;
  lapses: number;
  /** ts-fsrs State: 0 new, 1 learning, 2 review, 3 relearning. */
  state: number;
  last_review: string | null;
  updated_at: string;
}

// Performance tracker (src/modules/tracker, migration 0012-tracker).

/** An exam paper definition; its questions are tracker_paper_questions. */
export interface TrackerPapersTable {
  id: string;
  title: string;
  subject: string | null;
  board: string | null;
  year: number | null;
  total_marks: number;
  question_count: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

/** One question of a paper: its number ("1", "2a"), position and max marks. */
export interface TrackerPaperQuestionsTable {
  paper_id: string;
  number: string;
  position: number;
  max_marks: number;
  /** The question bank's question it was taken from, if any. */
  bank_question_id: string | null;
}

/** A knowledge-graph node a paper question tests: tagged directly, or the concept of a tagged skill. */
export interface TrackerQuestionNodesTable {
  paper_id: string;
  number: string;
  node_id: string;
  kind: 'concept' | 'skill';
  via: 'tag' | 'parent';
}

/** One learner's attempt at a paper; the id is chosen by the client (idempotent PUT). */
export interface TrackerResultsTable {
  id: string;
  learner_id: string;
  paper_id: string;
  /** YYYY-MM-DD. */
  taken_on: string;
  score: number;
  max_score: number;
  logged_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface TrackerResultMarksTable {
  result_id: string;
  number: string;
  marks: number;
}

/** Bumped by every change to a learner's results: the dashboard cache key. */
export interface TrackerLearnerVersionsTable {
  learner_id: string;
  version: number;
  updated_at: string;
}

/** A learner's dashboard statistics as JSON text, valid while `version` is the learner's. */
export interface TrackerDashboardCacheTable {
  learner_id: string;
  version: number;
  payload: string;
  computed_at: string;
}

/** Weekly aggregate: marks earned and available per learner and node. */
export interface TrackerLearnerStatsTable {
  learner_id: string;
  node_id: string;
  kind: string;
  earned: number;
  possible: number;
  items: number;
}

/** Weekly aggregate: per node across every learner. */
export interface TrackerCohortStatsTable {
  node_id: string;
  kind: string;
  learners: number;
  /** Learners below the weak threshold on this node. */
  weak_learners: number;
  earned: number;
  possible: number;
}

/** Weekly aggregate: totals per learner (scope learner) or for everyone (scope cohort, learner_id ''). */
export interface TrackerTrendsTable {
  scope: 'learner' | 'cohort';
  learner_id: string;
  /** Monday of the week, YYYY-MM-DD. */
  week: string;
  results: number;
  learners: number;
  score: number;
  max_score: number;
}

export interface TrackerAggregateRunsTable {
  id: string;
  learners: number;
  results: number;
  started_at: string;
  finished_at: string;
}

// Learning paths (src/modules/paths, migration 0010-paths).

/** A target role of the catalogue (seeded from config/roles.yaml, edited by instructors). */
export interface PathRolesTable {
  id: string;
  slug: string;
  title: string;
  summary: string;
  allow_mark_complete: number;
  include_prerequisites: number;
  ordinal: number;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export interface PathRoleSkillsTable {
  role_id: string;
  skill_id: string;
  target: number;
  ordinal: number;
}

export type ResourceType = 'article' | 'video' | 'course' | 'book' | 'exercise';

export interface PathRoleResourcesTable {
  id: string;
  role_id: string;
  title: string;
  url: string;
  type: ResourceType;
  description: string | null;
  /** JSON text: graph node ids of the skills it teaches. */
  skill_ids: string;
  ordinal: number;
}

export interface LearningPathsTable {
  id: string;
  user_id: string;
  role_id: string | null;
  role_title: string;
  status: 'active' | 'archived';
  allow_mark_complete: number;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
}

export interface PathModulesTable {
  id: string;
  path_id: string;
  position: number;
  title: string;
  /** JSON text: the golden resources of its skills, copied when the path was made. */
  resources: string;
  completed_at: string | null;
  completed_by: 'mastery' | 'learner' | null;
}

export interface PathModuleSkillsTable {
  module_id: string;
  skill_id: string;
  target: number;
  required: number;
  ordinal: number;
}

export interface PathModuleQuestionsTable {
  module_id: string;
  question_id: string;
  ordinal: number;
}

export interface PathLessonsTable {
  module_id: string;
  /** JSON text: objectives, explanation, worked example, summary (markdown, untrusted). */
  content: string;
  provider: string;
  model: string;
  prompt_id: string;
  offline: number;
  llm_call_id: string | null;
  version: number;
  generated_by: string | null;
  generated_at: string;
}

// Recommendation sets (src/modules/recommendations, migration 0013-recommendations).

/** A list of questions chosen for a learner; at most one active per learner. */
export interface RecommendationSetsTable {
  id: string;
  learner_id: string;
  status: 'active' | 'archived';
  trigger: 'request' | 'job' | 'seed';
  built_by: string | null;
  built_at: string;
  archived_at: string | null;
  results_at: string | null;
  item_count: number;
  /** JSON text: the targets in order (recommendations-schemas.ts, SetSummary). */
  summary: string;
}

/** One question of a set, with the node it practises and why it was chosen. */
export interface RecommendationItemsTable {
  set_id: string;
  position: number;
  question_id: string;
  node_id: string;
  node_name: string;
  node_kind: 'concept' | 'skill';
  tier: 'weak' | 'prerequisite' | 'consolidate';
  difficulty: number | null;
  level: number;
  reason: string;
}

// Placement tests (src/modules/assessment/placement-*, migration 0011-placement).

export interface PlacementTestsTable {
  id: string;
  user_id: string;
  status: 'in_progress' | 'finished';
  /** JSON text: the areas (top-level concept ids) covered. */
  areas: string;
  max_items: number;
  target_se: number;
  /** The question the learner is shown now; null once finished. */
  current_question_id: string | null;
  answered: number;
  theta: number;
  se: number;
  stop_reason: string | null;
  /** JSON text once finished: per-area estimates and the mastery seeded. */
  result: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  /** The role the test is for (null: the whole catalogue); kept even if the role is deleted. */
  target_role_id: string | null;
  /** The role's title when the test started. */
  target_title: string | null;
  /** JSON text: the role's skill ids the items come from; null for the whole catalogue. */
  target_skills: string | null;
}

export interface PlacementResponsesTable {
  placement_id: string;
  position: number;
  question_id: string;
  /** JSON text: the response as sent. */
  response: string;
  correct: number;
  area: string | null;
  irt_a: number;
  irt_b: number;
  irt_c: number;
  irt_d: number;
  theta_after: number;
  se_after: number;
  created_at: string;
}
