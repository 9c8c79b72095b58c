// Auto-tagging of the question bank and the instructors' review queue.
//
// A tagging run (the questions.auto-tag job) ranks graph nodes for each question with the
// offline tagger (auto-tagger.ts) and, when the `tagging` feature has a real provider, lets the
// model re-rank the top candidates (tagging-reranker.ts). It writes `suggested` tags in batches,
// each batch in one transaction, and never touches a tag someone decided: accepted, rejected
// and manual tags stay as they are, and a rejected node is not suggested again. Running it twice
// gives the same suggestions. A provider failure or a spent budget falls back to the offline
// ranking for that question, said in the job's log; the run goes on.
//
// Suggestions are for instructors only: learners never see them (the question views show
// learners accepted tags only), and only accepted tags count in the bank's filters.
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database, Role } from '../../infra/db/schema.ts';
import type { LlmGateway } from '../../infra/llm/llm-gateway.ts';
import { LlmBudgetExceededError } from '../../infra/llm/llm-errors.ts';
import type { JobQueue, JobRecord } from '../../infra/queue/job-queue.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.ts';
import { plainText, renderInlineRichText } from '../../platform/markdown.ts';
import { TaggingIndex, type TagCandidate, type TaggingQuestion } from './auto-tagger.ts';
import type { GraphLookup } from './graph-lookup.ts';
import type { QuestionsService } from './questions-service.ts';
import type { QuestionTagRow } from './questions-store.ts';
import {
  autoTagFilterSchema,
  type AutoTagBody,
  type ListSuggestionsQuery,
  type SuggestionQuery,
} from './tagging-schemas.ts';
import { TaggingStore, type SuggestionFilter, type TaggableQuestionRow } from './tagging-store.ts';
import {
  RERANK_CANDIDATES,
  rerankingAvailable,
  rerankWithLlm,
  type RerankedCandidate,
} from './tagging-reranker.ts';

export const AUTO_TAG_JOB = 'questions.auto-tag';

export interface TaggingActor {
  id: string;
  role: Role;
}

/** How many questions one batch reads, ranks and writes in one transaction. */
export const TAGGING_BATCH = 200;
/** The most questions one run tags (a filter matching more is refused). */
export const TAGGING_MAX_QUESTIONS = 20_000;
/** Suggestions per question, by default and at most. */
export const DEFAULT_SUGGESTIONS = 3;
/**
 * A candidate after the first is suggested only when its score is at least this share of the
 * first one's: a close second is worth a look, a distant one is noise.
 */
export const RUNNER_UP_SHARE = 0.75;

export interface AutoTagPayload {
  questionIds?: string[] | undefined;
  importId?: string | undefined;
  filter?: Record<string, string> | undefined;
  maxSuggestions?: number | undefined;
}

export interface AutoTagProgress {
  done: number;
  total: number;
  message: string;
}

export interface AutoTagResult {
  questions: number;
  /** Questions that got at least one suggestion. */
  tagged: number;
  suggestions: number;
  /** Questions where nothing in the graph matched. */
  unmatched: number;
  /** Candidates left out because someone had already decided on that tag. */
  keptDecisions: number;
  mode: 'offline' | 'llm';
  /** With a provider: questions the model re-ranked, and those that fell back to offline. */
  reranked: number;
  fallbacks: number;
  discardedIds: number;
  importId: string | null;
}

export interface RunContext {
  userId: string | null;
  jobId: string | null;
  signal?: AbortSignal | undefined;
  log: Pick<Logger, 'info' | 'warn'>;
  progress(p: AutoTagProgress): Promise<void>;
}

export interface TaggingServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  graph: GraphLookup;
  questions: QuestionsService;
  llm: LlmGateway;
  jobs: JobQueue;
}

const STAFF: readonly Role[] = ['instructor', 'admin'];

interface JsonRecord {
  [key: string]: unknown;
}
const isRecord = (v: unknown): v is JsonRecord =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** The words of a stored question the tagger reads: stem, options or answers, feedback. */
export function taggingInput(row: TaggableQuestionRow): TaggingQuestion {
  let answers: unknown;
  try {
    answers = JSON.parse(row.answers) as unknown;
  } catch {
    answers = {};
  }
  const options: string[] = [];
  const feedback: string[] = row.general_feedback ? [row.general_feedback] : [];
  if (isRecord(answers)) {
    for (const list of [answers.options, answers.answers]) {
      if (!Array.isArray(list)) continue;
      for (const item of list as unknown[]) {
        if (!isRecord(item)) continue;
        const value = text(item.text) || text(item.value);
        if (value) options.push(value);
        if (text(item.feedback)) feedback.push(text(item.feedback));
      }
    }
    for (const key of ['feedbackCorrect', 'feedbackWrong', 'markScheme']) {
      if (text(answers[key])) feedback.push(text(answers[key]));
    }
  }
  return { title: row.title, stem: row.stem, answers: options, feedback };
}

/** The question as one text for the model: stem, options, feedback. */
function questionForModel(row: TaggableQuestionRow, input: TaggingQuestion): string {
  const parts = [plainText(row.stem, row.format)];
  if (input.answers?.length) parts.push(`Options or answers: ${input.answers.join(' | ')}`);
  if (input.feedback?.length) parts.push(`Feedback: ${input.feedback.join(' ')}`);
  return parts.join('\n');
}

/** The candidates to suggest: the first, and close runners-up, up to `max`. */
export function chooseSuggestions<T extends TagCandidate>(
  ranked: readonly T[],
  max: number,
  byScore: boolean,
): T[] {
  const first = ranked[0];
  if (!first) return [];
  const chosen = [first];
  for (const c of ranked.slice(1)) {
    if (chosen.length >= max) break;
    const close = byScore
      ? c.score >= RUNNER_UP_SHARE * first.score
      : c.confidence >= RUNNER_UP_SHARE * first.confidence;
    if (close) chosen.push(c);
  }
  return chosen;
}

export class TaggingService {
  private readonly store: TaggingStore;

  constructor(private readonly deps: TaggingServiceDeps) {
    this.store = new TaggingStore(deps.db);
  }

  private requireStaff(actor: TaggingActor): void {
    if (!STAFF.includes(actor.role)) {
      throw new ForbiddenError('Only instructors and admins can tag questions.');
    }
  }

  /** The offline index over the graph as it is now. */
  async buildIndex(): Promise<TaggingIndex> {
    return new TaggingIndex(await this.deps.graph.nodesForTagging());
  }

  /** Check the request and enqueue a questions.auto-tag job for this person. */
  async start(actor: TaggingActor, body: AutoTagBody): Promise<JobRecord> {
    this.requireStaff(actor);
    if (body.importId !== undefined && !(await this.store.importExists(body.importId))) {
      throw new NotFoundError('There is no import with this id.', 'IMPORT_NOT_FOUND');
    }
    let filter: Record<string, string> | undefined;
    if (body.filter !== undefined) {
      const parsed = autoTagFilterSchema.safeParse(body.filter);
      if (!parsed.success) {
        const errors = parsed.error.issues.map((i) => ({
          path: ['body', 'filter', ...i.path.map(String)].join('.'),
          message: i.message,
        }));
        throw new ValidationError(`${errors[0]?.path}: ${errors[0]?.message}`, errors);
      }
      // Only the list's own parameters travel with the job.
      const known = new Set(Object.keys(autoTagFilterSchema.shape));
      filter = Object.fromEntries(Object.entries(body.filter).filter(([key]) => known.has(key)));
    }
    const payload: AutoTagPayload = {
      ...(body.questionIds ? { questionIds: [...new Set(body.questionIds)] } : {}),
      ...(body.importId ? { importId: body.importId } : {}),
      ...(filter ? { filter } : {}),
      ...(body.maxSuggestions ? { maxSuggestions: body.maxSuggestions } : {}),
    };
    return this.deps.jobs.enqueue(AUTO_TAG_JOB, payload, { userId: actor.id });
  }

  /** The question ids a payload names, in a stable order. */
  private async selection(payload: AutoTagPayload, userId: string | null): Promise<string[]> {
    if (payload.questionIds) return payload.questionIds;
    if (payload.importId) return this.store.questionIdsOfImport(payload.importId);
    const query = autoTagFilterSchema.parse(payload.filter ?? {});
    const ids: string[] = [];
    // The same filters as the Questions list, through the question bank's own service.
    const viewer = { id: userId ?? 'system', role: 'admin' as const };
    for (let offset = 0; ; offset += 200) {
      const page = await this.deps.questions.list(viewer, { ...query, limit: 200, offset });
      ids.push(...page.questions.map((q) => q.id));
      if (ids.length > TAGGING_MAX_QUESTIONS) {
        throw new AppError(
          400,
          'TOO_MANY_QUESTIONS',
          'Too many questions',
          `The filter matches more than ${TAGGING_MAX_QUESTIONS} questions; narrow it or tag one import at a time.`,
        );
      }
      if (page.questions.length < 200) break;
    }
    return ids;
  }

  /** The tagging run behind the questions.auto-tag job. */
  async run(payload: AutoTagPayload, ctx: RunContext): Promise<AutoTagResult> {
    const max = payload.maxSuggestions ?? DEFAULT_SUGGESTIONS;
    const index = await this.buildIndex();
    if (index.size === 0) {
      throw new AppError(
        409,
        'GRAPH_EMPTY',
        'No skills to tag with',
        'The knowledge graph has no skills yet: import the curriculum first, then suggest tags.',
      );
    }
    const ids = await this.selection(payload, ctx.userId);
    let useModel = rerankingAvailable(this.deps.llm);
    const result: AutoTagResult = {
      questions: 0,
      tagged: 0,
      suggestions: 0,
      unmatched: 0,
      keptDecisions: 0,
      mode: useModel ? 'llm' : 'offline',
      reranked: 0,
      fallbacks: 0,
      discardedIds: 0,
      importId: payload.importId ?? null,
    };
    await ctx.progress({ done: 0, total: ids.length, message: `Tagging ${ids.length} questions` });
    for (let start = 0; start < ids.length; start += TAGGING_BATCH) {
      ctx.signal?.throwIfAborted();
      const rows = await this.store.questionsByIds(ids.slice(start, start + TAGGING_BATCH));
      const existing = await this.store.tagsOf(rows.map((r) => r.id));
      const decided = new Set(
        existing
          .filter((t) => t.status !== 'suggested')
          .map((t) => `${t.question_id}\t${t.node_id}`),
      );
      const pending = new Map<string, Set<string>>();
      for (const t of existing) {
        if (t.status !== 'suggested') continue;
        pending.set(t.question_id, (pending.get(t.question_id) ?? new Set()).add(t.node_id));
      }
      const now = this.deps.clock.now().toISOString();
      const writes: QuestionTagRow[] = [];
      const stale: Array<{ questionId: string; nodeId: string }> = [];
      for (const row of rows) {
        const input = taggingInput(row);
        const ranked = index.rank(input, { limit: RERANK_CANDIDATES });
        const open = ranked.filter((c) => !decided.has(`${row.id}\t${c.nodeId}`));
        result.keptDecisions += ranked.length - open.length;
        let chosen: Array<TagCandidate | RerankedCandidate> = chooseSuggestions(open, max, true);
        let source: 'offline' | 'llm' = 'offline';
        if (useModel && open.length > 0) {
          try {
            const outcome = await rerankWithLlm(
              this.deps.llm,
              questionForModel(row, input),
              open,
              ctx,
            );
            result.discardedIds += outcome.discarded.length;
            if (outcome.discarded.length > 0) {
              ctx.log.warn(
                { questionId: row.id, discarded: outcome.discarded },
                'the model named skills that were not candidates; discarded',
              );
            }
            if (outcome.candidates.length > 0) {
              chosen = chooseSuggestions(outcome.candidates, max, false);
              source = 'llm';
              result.reranked += 1;
            } else {
              result.fallbacks += 1;
              ctx.log.warn(
                { questionId: row.id },
                'the model named none of the candidates; kept the offline ranking',
              );
            }
          } catch (err) {
            if (ctx.signal?.aborted) throw err;
            result.fallbacks += 1;
            const reason = err instanceof Error ? err.message : String(err);
            ctx.log.warn(
              { questionId: row.id, err: reason },
              'AI re-ranking failed; kept the offline ranking for this question',
            );
            if (err instanceof LlmBudgetExceededError) {
              // The budget stays spent until midnight: the rest of the run is offline.
              useModel = false;
              ctx.log.warn('the AI token budget is spent; the rest of this run is offline');
            }
          }
        }
        result.questions += 1;
        if (ranked.length === 0) result.unmatched += 1;
        if (chosen.length > 0) result.tagged += 1;
        const keep = new Set(chosen.map((c) => c.nodeId));
        for (const nodeId of pending.get(row.id) ?? []) {
          if (!keep.has(nodeId)) stale.push({ questionId: row.id, nodeId });
        }
        for (const c of chosen) {
          const modelReason = 'modelReason' in c ? c.modelReason : null;
          writes.push({
            question_id: row.id,
            node_id: c.nodeId,
            status: 'suggested',
            confidence: Math.min(1, Math.max(0, c.confidence)),
            reason: (modelReason && source === 'llm'
              ? `AI: ${modelReason} (offline: ${c.reason})`
              : c.reason
            ).slice(0, 1000),
            source,
            decided_by: null,
            decided_at: null,
            created_at: now,
          });
        }
      }
      await this.deps.db.transaction().execute(async (tx) => {
        const store = this.store.withTransaction(tx);
        await store.deleteSuggestions(stale);
        await store.upsertSuggestions(writes);
      });
      result.suggestions += writes.length;
      const done = Math.min(ids.length, start + TAGGING_BATCH);
      await ctx.progress({
        done,
        total: ids.length,
        message: `Tagged ${done} of ${ids.length} questions${result.fallbacks > 0 ? ` (${result.fallbacks} kept the offline ranking: AI re-ranking failed)` : ''}`,
      });
    }
    return result;
  }

  // ---- Review queue ----------------------------------------------------------------------

  private async toFilter(query: SuggestionQuery): Promise<SuggestionFilter | null> {
    let nodeIds: string[] | undefined;
    if (query.node !== undefined) {
      const node = await this.deps.graph.findNode(query.node);
      if (!node) return null;
      nodeIds = node.kind === 'concept' ? await this.deps.graph.subtreeIds(node.id) : [node.id];
    }
    if (
      query.minConfidence !== undefined &&
      query.maxConfidence !== undefined &&
      query.minConfidence > query.maxConfidence
    ) {
      throw new ValidationError('minConfidence: must not be above maxConfidence', [
        { path: 'querystring.minConfidence', message: 'must not be above maxConfidence' },
      ]);
    }
    return {
      minConfidence: query.minConfidence,
      maxConfidence: query.maxConfidence,
      importId: query.importId,
      questionId: query.questionId,
      source: query.source,
      nodeIds,
    };
  }

  async listSuggestions(actor: TaggingActor, query: ListSuggestionsQuery) {
    this.requireStaff(actor);
    const filter = await this.toFilter(query);
    const thresholds = Array.from({ length: 11 }, (_, i) => i / 10);
    if (!filter) {
      return {
        suggestions: [],
        total: 0,
        atOrAbove: thresholds.map((t) => ({ threshold: t, count: 0 })),
      };
    }
    const [{ rows, total }, confidences] = await Promise.all([
      this.store.listSuggestions(filter, query),
      this.store.suggestionConfidences({ ...filter, minConfidence: undefined }),
    ]);
    const nodes = await this.deps.graph.findByIds([...new Set(rows.map((r) => r.node_id))]);
    return {
      suggestions: rows.map((r) => {
        const node = nodes.get(r.node_id);
        const excerpt = plainText(r.stem, r.format);
        return {
          questionId: r.question_id,
          questionExcerpt: excerpt.length > 200 ? `${excerpt.slice(0, 197)}…` : excerpt,
          questionType: r.type,
          questionStatus: r.question_status,
          importId: r.import_id,
          node: {
            id: r.node_id,
            externalId: node?.externalId ?? null,
            name: node?.name ?? null,
            kind: node?.kind ?? null,
          },
          confidence: r.confidence,
          reason: r.reason,
          // A model wrote part of an AI reason: only ever shown as sanitised markdown.
          reasonHtml: r.reason ? renderInlineRichText(r.reason, 'markdown') : '',
          source: r.source,
          createdAt: r.created_at,
        };
      }),
      total,
      atOrAbove: thresholds.map((threshold) => ({
        threshold,
        count: confidences.filter((c) => c >= threshold - 1e-9).length,
      })),
    };
  }

  async decide(
    actor: TaggingActor,
    questionId: string,
    nodeId: string,
    decision: 'accepted' | 'rejected',
  ) {
    this.requireStaff(actor);
    const at = this.deps.clock.now().toISOString();
    const updated = await this.store.decide(questionId, nodeId, decision, actor.id, at);
    if (updated === 0) {
      throw new NotFoundError(
        'There is no pending suggestion of this tag on this question (it may have been decided already).',
        'SUGGESTION_NOT_FOUND',
      );
    }
    return { questionId, nodeId, status: decision, decidedAt: at };
  }

  /** Accept (or reject) every pending suggestion of the filter at or above the threshold. */
  async decideAll(
    actor: TaggingActor,
    body: {
      decision: 'accepted' | 'rejected';
      threshold: number;
      filter: Omit<SuggestionQuery, 'minConfidence'>;
    },
  ) {
    this.requireStaff(actor);
    const filter = await this.toFilter(body.filter);
    if (!filter) return { updated: 0, status: body.decision };
    const at = this.deps.clock.now().toISOString();
    // One statement, in one transaction: all of them or none.
    const updated = await this.deps.db
      .transaction()
      .execute((tx) =>
        this.store
          .withTransaction(tx)
          .decideAll(filter, body.threshold, body.decision, actor.id, at),
      );
    return { updated, status: body.decision };
  }
}
