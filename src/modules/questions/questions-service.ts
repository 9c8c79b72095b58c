// The question bank: browsing with filters, authoring, status changes, archiving, manual tags,
// imports (GIFT, CSV: validated whole, written in one transaction) and exports.
//
// Who sees what: instructors and admins see and change every question. Learners see published,
// unarchived questions only, never their answers or feedback: lists carry no answers for anyone,
// and a learner's single-question view has the stem and the option texts alone.
import type { Kysely } from 'kysely';
import type { Database, Role } from '../../infra/db/schema.ts';
import type { Clock } from '../../platform/clock.ts';
import {
  AppError,
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../../platform/errors.ts';
import { randomBytes } from 'node:crypto';
import { newId } from '../../platform/ids.ts';
import { plainText, renderInlineRichText, renderRichText } from '../../platform/markdown.ts';
import { parseQuestionCsv, writeQuestionCsv } from './csv-format.ts';
import { parseGift, writeGift, type ImportProblem } from './gift-format.ts';
import type { GraphLookup, GraphNodeRef } from './graph-lookup.ts';
import {
  QUESTION_TYPES,
  isUnansweredChoice,
  parseStoredAnswers,
  validateDraft,
  type AnswersOf,
  type ChoiceOption,
  type QuestionDraft,
  type QuestionStatus,
  type QuestionTextFormat,
  type QuestionType,
} from './question-model.ts';
import type {
  CreateQuestionBody,
  ImportResult,
  ListQuestionsQuery,
  QuestionFilterQuery,
  UpdateQuestionBody,
} from './questions-schemas.ts';
import {
  QuestionsStore,
  type QuestionFilter,
  type QuestionRow,
  type QuestionTagRow,
} from './questions-store.ts';

export interface Actor {
  id: string;
  role: Role;
}

/** The largest file an import accepts, and the most questions in one import. */
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;
export const IMPORT_MAX_QUESTIONS = 20_000;

const STAFF: readonly Role[] = ['instructor', 'admin'];
export const isStaff = (actor: Actor) => STAFF.includes(actor.role);

export interface QuestionsServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
  graph: GraphLookup;
}

export interface ImportInput {
  format?: 'gift' | 'csv' | undefined;
  fileName?: string | undefined;
  /** Raw bytes (CLI, file uploads) are decoded strictly; text arrives from JSON bodies. */
  content: Buffer | string;
  status?: QuestionStatus | undefined;
  dryRun?: boolean | undefined;
}

/** 400 with every problem and its line; nothing was written. */
export class ImportRejectedError extends AppError {
  constructor(
    readonly problems: ImportProblem[],
    format: string,
  ) {
    const first = problems[0];
    const count = problems.length;
    super(
      400,
      'IMPORT_INVALID',
      'Import rejected',
      `The ${format.toUpperCase()} file has ${count === 1 ? 'a problem' : `${count}${count >= 200 ? '+' : ''} problems`}; nothing was imported.${first ? ` Line ${first.line}: ${first.message}` : ''}`,
      { errors: problems.map((p) => ({ path: `line ${p.line}`, message: p.message })) },
    );
  }
}

function searchText(draft: QuestionDraft): string {
  const parts = [draft.title ?? '', draft.stem, draft.category ?? ''];
  const answers = draft.answers as Record<string, unknown>;
  if (Array.isArray(answers.options)) {
    for (const o of answers.options as ChoiceOption[]) parts.push(o.text);
  }
  if (draft.type === 'short_answer') {
    for (const a of (draft.answers as AnswersOf<'short_answer'>).answers) parts.push(a.text);
  }
  return parts
    .join(' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .toLowerCase()
    .trim();
}

function rowToDraft(row: QuestionRow): QuestionDraft {
  return {
    type: row.type,
    title: row.title,
    stem: row.stem,
    format: row.format,
    generalFeedback: row.general_feedback,
    answers: parseStoredAnswers(row.type, row.answers),
    difficulty: row.difficulty,
    irt:
      row.irt_a !== null && row.irt_b !== null && row.irt_c !== null
        ? { a: row.irt_a, b: row.irt_b, c: row.irt_c }
        : null,
    maxMarks: Number(row.max_marks),
    source: row.source,
    category: row.category,
    status: row.status,
  };
}

function draftColumns(draft: QuestionDraft) {
  return {
    type: draft.type,
    title: draft.title,
    stem: draft.stem,
    format: draft.format,
    answers: JSON.stringify(draft.answers),
    general_feedback: draft.generalFeedback,
    difficulty: draft.difficulty,
    irt_a: draft.irt?.a ?? null,
    irt_b: draft.irt?.b ?? null,
    irt_c: draft.irt?.c ?? null,
    max_marks: draft.maxMarks,
    source: draft.source,
    category: draft.category,
    status: draft.status,
    search_text: searchText(draft),
  };
}

let lastMs = 0;
let sequence = 0;

/**
 * A time-ordered UUID (version 7): 48 bits of milliseconds, a 12-bit sequence within the same
 * millisecond, random bits after. Questions of one import share created_at; their ids keep the
 * file's order, so lists and exports show an import as it was written.
 */
export function orderedQuestionId(nowMs: number = Date.now()): string {
  if (nowMs <= lastMs) {
    sequence += 1;
    if (sequence > 0xfff) {
      lastMs += 1;
      sequence = 0;
    }
  } else {
    lastMs = nowMs;
    sequence = 0;
  }
  const bytes = randomBytes(16);
  bytes.writeUIntBE(lastMs, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A new question row (time-ordered id) for a checked draft. */
export function newRow(
  draft: QuestionDraft,
  meta: { actorId: string | null; now: string; importId: string | null },
): QuestionRow {
  return {
    id: orderedQuestionId(),
    ...draftColumns(draft),
    import_id: meta.importId,
    created_by: meta.actorId,
    created_at: meta.now,
    updated_at: meta.now,
    published_at: draft.status === 'published' ? meta.now : null,
    archived_at: null,
  };
}

function excerpt(row: QuestionRow): string {
  const text = plainText(row.stem, row.format);
  return text.length > 200 ? `${text.slice(0, 197)}…` : text;
}

function decodeImport(content: Buffer | string): string {
  if (typeof content === 'string') {
    if (Buffer.byteLength(content, 'utf8') > IMPORT_MAX_BYTES) throw tooLarge();
    checkText(content);
    return content;
  }
  if (content.length > IMPORT_MAX_BYTES) throw tooLarge();
  if (content.includes(0)) throw notText('it contains NUL bytes (a binary file?)');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(content);
  } catch {
    throw notText('it is not valid UTF-8');
  }
  checkText(text);
  return text;
}

function checkText(text: string): void {
  const nul = text.indexOf('\u0000');
  if (nul !== -1) throw notText('it contains NUL characters (a binary file?)');
  const replacement = text.indexOf('\uFFFD');
  if (replacement !== -1) {
    const line = text.slice(0, replacement).split('\n').length;
    throw notText(`line ${line} has bytes that are not UTF-8 (a binary file, or another encoding)`);
  }
}

const tooLarge = () =>
  new PayloadTooLargeError(
    `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MiB; split it into smaller imports.`,
  );
const notText = (why: string) =>
  new UnsupportedMediaTypeError(
    `The file is not a text file: ${why}. Export the questions as UTF-8 GIFT or CSV.`,
  );

function detectFormat(input: ImportInput, text: string): 'gift' | 'csv' {
  if (input.format) return input.format;
  const name = input.fileName?.toLowerCase() ?? '';
  if (name.endsWith('.csv')) return 'csv';
  if (name.endsWith('.gift') || name.endsWith('.txt')) return 'gift';
  const firstLine = text
    .replace(/^\uFEFF/, '')
    .split('\n', 1)[0]!
    .toLowerCase();
  return /(^|,)\s*"?type"?\s*(,|$)/.test(firstLine) && firstLine.includes('stem') ? 'csv' : 'gift';
}

export class QuestionsService {
  private readonly store: QuestionsStore;

  constructor(private readonly deps: QuestionsServiceDeps) {
    this.store = new QuestionsStore(deps.db);
  }

  private requireStaff(actor: Actor): void {
    if (!isStaff(actor)) {
      throw new ForbiddenError('Only instructors and admins can change the question bank.');
    }
  }

  private async visibleRow(actor: Actor, id: string): Promise<QuestionRow> {
    const row = await this.store.findById(id);
    if (!row || (!isStaff(actor) && (row.status !== 'published' || row.archived_at !== null))) {
      throw new NotFoundError('No such question.', 'QUESTION_NOT_FOUND');
    }
    return row;
  }

  /** Filters from the query; learners only ever get published, unarchived questions. */
  private async toFilter(
    actor: Actor,
    query: QuestionFilterQuery,
  ): Promise<{ filter: QuestionFilter; node: GraphNodeRef | null; empty: boolean }> {
    const staff = isStaff(actor);
    const nodeSets: string[][] = [];
    let node: GraphNodeRef | null = null;
    let empty = false;
    if (query.concept !== undefined) {
      const found = await this.deps.graph.findNode(query.concept);
      if (!found) empty = true;
      else {
        node = found;
        nodeSets.push(await this.deps.graph.subtreeIds(found.id));
      }
    }
    if (query.skill !== undefined) {
      const found = await this.deps.graph.findNode(query.skill);
      if (!found) empty = true;
      else {
        node = node ?? found;
        nodeSets.push([found.id]);
      }
    }
    if (
      query.difficultyMin !== undefined &&
      query.difficultyMax !== undefined &&
      query.difficultyMin > query.difficultyMax
    ) {
      throw new ValidationError('difficultyMin: must not be above difficultyMax', [
        { path: 'querystring.difficultyMin', message: 'must not be above difficultyMax' },
      ]);
    }
    const words = (query.q ?? '')
      .toLowerCase()
      .split(/\s+/)
      .filter((w) => w !== '')
      .slice(0, 10);
    return {
      node,
      empty,
      filter: {
        nodeIdSets: nodeSets,
        types: query.type,
        statuses: staff ? query.status : ['published'],
        difficultyMin: query.difficultyMin,
        difficultyMax: query.difficultyMax,
        words,
        category: query.category,
        importId: staff ? query.importId : undefined,
        archived: staff ? (query.archived ?? false) : false,
      },
    };
  }

  private async tagsFor(
    rows: QuestionRow[],
    onlyAccepted: boolean,
  ): Promise<Map<string, ReturnType<typeof tagView>[]>> {
    const tags = await this.store.tagsOf(rows.map((r) => r.id));
    const visible = onlyAccepted ? tags.filter((t) => t.status === 'accepted') : tags;
    const nodes = await this.deps.graph.findByIds([...new Set(visible.map((t) => t.node_id))]);
    const byQuestion = new Map<string, ReturnType<typeof tagView>[]>();
    for (const tag of visible) {
      const list = byQuestion.get(tag.question_id) ?? [];
      list.push(tagView(tag, nodes.get(tag.node_id)));
      byQuestion.set(tag.question_id, list);
    }
    return byQuestion;
  }

  async list(actor: Actor, query: ListQuestionsQuery) {
    const { filter, node, empty } = await this.toFilter(actor, query);
    const nodeView = node
      ? { id: node.id, externalId: node.externalId, name: node.name, kind: node.kind }
      : null;
    if (empty) return { questions: [], total: 0, node: nodeView };
    const { rows, total } = await this.store.list(filter, query);
    const tags = await this.tagsFor(rows, !isStaff(actor));
    return {
      questions: rows.map((row) => ({
        id: row.id,
        type: row.type,
        title: row.title,
        excerpt: excerpt(row),
        difficulty: row.difficulty,
        maxMarks: Number(row.max_marks),
        status: row.status,
        category: row.category,
        source: row.source,
        createdAt: row.created_at,
        updatedAt: row.updated_at,
        archivedAt: row.archived_at,
        tags: tags.get(row.id) ?? [],
      })),
      total,
      node: nodeView,
    };
  }

  async get(actor: Actor, id: string) {
    const row = await this.visibleRow(actor, id);
    return isStaff(actor) ? this.staffView(row) : learnerQuestionView(row);
  }

  private async staffView(row: QuestionRow) {
    const draft = rowToDraft(row);
    const tags = await this.tagsFor([row], false);
    return {
      view: 'staff' as const,
      id: row.id,
      ...draft,
      answers: draft.answers as Record<string, unknown>,
      importId: row.import_id,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      publishedAt: row.published_at,
      archivedAt: row.archived_at,
      tags: tags.get(row.id) ?? [],
      rendered: renderQuestion(draft),
    };
  }

  async create(actor: Actor, body: CreateQuestionBody) {
    this.requireStaff(actor);
    const draft = checkDraft(body as Record<string, unknown>);
    const row = newRow(draft, {
      actorId: actor.id,
      now: this.deps.clock.now().toISOString(),
      importId: null,
    });
    await this.store.insertQuestions([row]);
    return this.staffView(row);
  }

  async update(actor: Actor, id: string, body: UpdateQuestionBody) {
    this.requireStaff(actor);
    const row = await this.visibleRow(actor, id);
    if (row.archived_at !== null) {
      throw new BadRequestError('The question is archived; restore it before editing.', 'ARCHIVED');
    }
    const current = rowToDraft(row);
    const merged: Record<string, unknown> = { ...current };
    for (const [key, value] of Object.entries(body)) {
      if (value !== undefined) merged[key] = value;
    }
    // A draft that arrived without its answer (OCR) may be saved so until it leaves draft.
    const draft = checkDraft(merged, {
      allowUnansweredDraft: row.status === 'draft' && isUnansweredChoice(row.type, current.answers),
    });
    const now = this.deps.clock.now().toISOString();
    const updated = await this.store.update(id, {
      ...draftColumns(draft),
      updated_at: now,
      published_at: draft.status === 'published' ? (row.published_at ?? now) : null,
    });
    if (!updated) throw new NotFoundError('No such question.', 'QUESTION_NOT_FOUND');
    return this.staffView(updated);
  }

  async setStatus(actor: Actor, ids: string[], status: QuestionStatus): Promise<number> {
    this.requireStaff(actor);
    const unique = [...new Set(ids)];
    if (status !== 'draft') await this.requireAnswers(unique);
    return this.deps.db.transaction().execute(async (tx) => {
      const updated = await this.store
        .withTransaction(tx)
        .setStatus(unique, status, this.deps.clock.now().toISOString());
      if (updated !== unique.length) {
        // All or nothing: a missing or archived id rolls the whole change back.
        throw new NotFoundError(
          `${unique.length - updated} of the questions do not exist or are archived; nothing changed.`,
          'QUESTION_NOT_FOUND',
        );
      }
      return updated;
    });
  }

  /** Choice questions drafted without their answer (OCR) stay drafts until one is chosen. */
  private async requireAnswers(ids: string[]): Promise<void> {
    const open = (await this.store.findByIds(ids)).filter((row) =>
      isUnansweredChoice(row.type, JSON.parse(row.answers)),
    );
    if (open.length > 0) {
      const names = open
        .slice(0, 3)
        .map((row) => `"${excerpt(row).slice(0, 60)}"`)
        .join(', ');
      throw new BadRequestError(
        `${open.length === 1 ? 'A question has' : `${open.length} questions have`} no correct option yet (${names}${open.length > 3 ? ', …' : ''}); pick it before review or publishing. Nothing changed.`,
        'ANSWER_MISSING',
      );
    }
  }

  async setOneStatus(actor: Actor, id: string, status: QuestionStatus) {
    await this.setStatus(actor, [id], status);
    return this.get(actor, id);
  }

  async archive(actor: Actor, id: string, archived: boolean) {
    this.requireStaff(actor);
    const row = await this.visibleRow(actor, id);
    const now = this.deps.clock.now().toISOString();
    const updated = await this.store.update(row.id, {
      archived_at: archived ? (row.archived_at ?? now) : null,
      updated_at: now,
    });
    if (!updated) throw new NotFoundError('No such question.', 'QUESTION_NOT_FOUND');
    return this.staffView(updated);
  }

  async addTag(actor: Actor, id: string, nodeRef: string) {
    this.requireStaff(actor);
    const row = await this.visibleRow(actor, id);
    const node = await this.deps.graph.findNode(nodeRef);
    if (!node) {
      throw new ValidationError(`node: no concept or skill "${nodeRef}" in the graph`, [
        { path: 'body.node', message: 'no such concept or skill' },
      ]);
    }
    const now = this.deps.clock.now().toISOString();
    await this.store.upsertTag({
      question_id: row.id,
      node_id: node.id,
      status: 'accepted',
      confidence: null,
      reason: null,
      source: 'manual',
      decided_by: actor.id,
      decided_at: now,
      created_at: now,
    });
    return this.staffView(row);
  }

  async removeTag(actor: Actor, id: string, nodeId: string) {
    this.requireStaff(actor);
    const row = await this.visibleRow(actor, id);
    const removed = await this.store.deleteTag(row.id, nodeId);
    if (removed === 0) throw new NotFoundError('The question has no such tag.', 'TAG_NOT_FOUND');
    return this.staffView(row);
  }

  /** Whether the bank has any question at all, archived included. */
  async hasQuestions(): Promise<boolean> {
    return this.store.hasAny();
  }

  preview(text: string, format: QuestionTextFormat) {
    return { html: renderRichText(text, format) };
  }

  /**
   * Parse and validate the whole file, then write every question (and CSV tags) in one
   * transaction. Any problem anywhere rejects the file with all problems and their lines.
   */
  async importQuestions(actor: Actor | null, input: ImportInput): Promise<ImportResult> {
    if (actor) this.requireStaff(actor);
    const text = decodeImport(input.content);
    const format = detectFormat(input, text);
    const defaults = { status: input.status ?? 'draft', source: input.fileName?.trim() || null };
    const parsed =
      format === 'gift'
        ? { ...parseGift(text, defaults), tagsByLine: new Map<number, string[]>() }
        : await parseQuestionCsv(text, defaults).then((r) => ({
            ...r,
            tagsByLine: new Map(r.questions.map((q) => [q.line, q.tags])),
          }));
    const errors = [...parsed.errors];
    if (parsed.questions.length > IMPORT_MAX_QUESTIONS) {
      errors.push({
        line: parsed.questions[IMPORT_MAX_QUESTIONS]!.line,
        message: `more than ${IMPORT_MAX_QUESTIONS} questions in one file: split it`,
      });
    }
    if (errors.length === 0 && parsed.questions.length === 0) {
      errors.push({ line: 1, message: 'the file has no questions' });
    }

    // Tags name graph nodes by external id; every one must exist.
    const wanted = [...new Set([...parsed.tagsByLine.values()].flat())];
    const nodes = wanted.length > 0 ? await this.deps.graph.findByExternalIds(wanted) : new Map();
    for (const [line, tags] of parsed.tagsByLine) {
      const missing = tags.filter((t) => !nodes.has(t));
      if (missing.length > 0) {
        errors.push({
          line,
          message: `tags: no concept or skill ${missing.map((m) => `"${m}"`).join(', ')} in the knowledge graph`,
        });
      }
    }
    if (errors.length > 0) {
      throw new ImportRejectedError(errors.sort((a, b) => a.line - b.line).slice(0, 200), format);
    }

    const byType = Object.fromEntries(QUESTION_TYPES.map((t) => [t, 0])) as Record<
      QuestionType,
      number
    >;
    for (const q of parsed.questions) byType[q.draft.type] += 1;
    const tagCount = [...parsed.tagsByLine.values()].reduce((n, t) => n + new Set(t).size, 0);
    const result: ImportResult = {
      dryRun: input.dryRun === true,
      importId: null,
      format,
      imported: parsed.questions.length,
      byType,
      tagged: tagCount,
      warnings: parsed.warnings.slice(0, 200),
    };
    if (input.dryRun) return result;

    const now = this.deps.clock.now().toISOString();
    const importId = newId();
    const actorId = actor?.id ?? null;
    const rows: QuestionRow[] = [];
    const tagRows: QuestionTagRow[] = [];
    for (const q of parsed.questions) {
      const row = newRow(q.draft, { actorId, now, importId });
      rows.push(row);
      for (const externalId of new Set(parsed.tagsByLine.get(q.line) ?? [])) {
        tagRows.push({
          question_id: row.id,
          node_id: (nodes.get(externalId) as GraphNodeRef).id,
          status: 'accepted',
          confidence: null,
          reason: 'tagged in the imported CSV',
          source: 'manual',
          decided_by: actorId,
          decided_at: now,
          created_at: now,
        });
      }
    }
    await this.deps.db.transaction().execute(async (tx) => {
      const store = this.store.withTransaction(tx);
      await store.insertImport({
        id: importId,
        format,
        file_name: input.fileName?.trim() || null,
        question_count: rows.length,
        created_by: actorId,
        created_at: now,
      });
      await store.insertQuestions(rows);
      await store.insertTags(tagRows);
    });
    return { ...result, importId };
  }

  /** Every question matching the filters, as a GIFT or CSV file. */
  async exportQuestions(actor: Actor, query: QuestionFilterQuery & { format: 'gift' | 'csv' }) {
    this.requireStaff(actor);
    const { filter, empty } = await this.toFilter(actor, query);
    const rows = empty ? [] : await this.store.listAll(filter);
    const stamp = this.deps.clock.now().toISOString().slice(0, 10);
    if (query.format === 'gift') {
      return {
        fileName: `questions-${stamp}.gift`,
        contentType: 'text/plain; charset=utf-8',
        body: writeGift(rows.map(rowToDraft)),
      };
    }
    const tags = await this.store.tagsOf(rows.map((r) => r.id));
    const nodes = await this.deps.graph.findByIds([...new Set(tags.map((t) => t.node_id))]);
    const tagsByQuestion = new Map<string, string[]>();
    for (const t of tags) {
      const node = nodes.get(t.node_id);
      if (t.status !== 'accepted' || !node) continue;
      tagsByQuestion.set(t.question_id, [
        ...(tagsByQuestion.get(t.question_id) ?? []),
        node.externalId,
      ]);
    }
    return {
      fileName: `questions-${stamp}.csv`,
      contentType: 'text/csv; charset=utf-8',
      body: writeQuestionCsv(
        rows.map((r) => ({ id: r.id, draft: rowToDraft(r), tags: tagsByQuestion.get(r.id) ?? [] })),
      ),
    };
  }
}

/** The normalised draft, or ValidationError naming every field (as body.<path>). */
export function checkDraft(
  input: Record<string, unknown>,
  options: { allowUnansweredDraft?: boolean } = {},
): QuestionDraft {
  const checked = validateDraft(input, options);
  if (!checked.ok) {
    const errors = checked.issues.map((i) => ({ path: `body.${i.path}`, message: i.message }));
    const first = errors[0]!;
    throw new ValidationError(
      `${first.path}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
      errors,
    );
  }
  return checked.draft;
}

function tagView(tag: QuestionTagRow, node: GraphNodeRef | undefined) {
  return {
    nodeId: tag.node_id,
    externalId: node?.externalId ?? null,
    name: node?.name ?? null,
    kind: node?.kind ?? null,
    status: tag.status,
    confidence: tag.confidence,
    reason: tag.reason,
    source: tag.source,
  };
}

function renderQuestion(draft: QuestionDraft) {
  const inline = (text: string | undefined) =>
    text ? renderInlineRichText(text, draft.format) : null;
  const answers = draft.answers as Record<string, unknown>;
  const options = Array.isArray(answers.options)
    ? (answers.options as ChoiceOption[]).map((o) => ({
        id: o.id,
        text: renderInlineRichText(o.text, draft.format),
        feedback: inline(o.feedback),
      }))
    : [];
  const answerFeedback =
    draft.type === 'numeric' || draft.type === 'short_answer'
      ? (answers.answers as { feedback?: string }[]).map((a) => inline(a.feedback))
      : [];
  const tf = draft.type === 'true_false' ? (draft.answers as AnswersOf<'true_false'>) : null;
  const written = draft.type === 'written' ? (draft.answers as AnswersOf<'written'>) : null;
  return {
    stem: renderRichText(draft.stem, draft.format),
    generalFeedback: draft.generalFeedback
      ? renderRichText(draft.generalFeedback, draft.format)
      : null,
    options,
    answerFeedback,
    feedbackCorrect: inline(tf?.feedbackCorrect),
    feedbackWrong: inline(tf?.feedbackWrong),
    markScheme: written?.markScheme ? renderRichText(written.markScheme, draft.format) : null,
  };
}

/** What a learner sees of a published question: the stem and option texts, never the answers. */
export function learnerQuestionView(row: QuestionRow) {
  const draft = rowToDraft(row);
  const answers = draft.answers as Record<string, unknown>;
  const options =
    draft.type === 'true_false'
      ? [
          { id: 'true', html: 'True' },
          { id: 'false', html: 'False' },
        ]
      : Array.isArray(answers.options)
        ? (answers.options as ChoiceOption[]).map((o) => ({
            id: o.id,
            html: renderInlineRichText(o.text, draft.format),
          }))
        : [];
  return {
    view: 'learner' as const,
    id: row.id,
    type: row.type,
    title: row.title,
    stemHtml: renderRichText(row.stem, row.format),
    options,
    maxMarks: Number(row.max_marks),
    difficulty: row.difficulty,
  };
}
