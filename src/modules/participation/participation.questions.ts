import type { Db } from '../../db';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import type { Actor } from '../audit';
import * as q from './participation.queries';
import * as pq from './participation.proposal-queries';
import type { RecordWriter } from './participation.record';
import { QUESTION_TOPICS, questionsDeadline, questionsOpen } from './participation.rules';
import type { QuestionInput } from './participation.schemas';

/**
 * Residents' questions to a convened hearing (Ley 27972 art. 119-A as amended by Ley 31433):
 * asked by confirmed residents until the day before the hearing, public after neutral moderation
 * (see the moderation module), grouped by topic; the official records the answer given at the
 * hearing (audited). Published questions without an answer are counted and shown.
 */
export function createQuestionService({ db, record }: { db: Db; record: RecordWriter }) {
  const { today, nowIso, audited } = record;
  return {
    /** What a hearing page shows: whether questions are open, until when, the published ones by topic, and how many are unanswered. */
    async forHearing(hearing: { id: number; state: string; held_on: string; withdrawn_at?: string | null }) {
      const rows = await q.publishedQuestions(db, hearing.id);
      const byTopic = QUESTION_TOPICS.map((topic) => ({ topic, questions: rows.filter((r) => r.topic === topic) })).filter((g) => g.questions.length);
      return {
        open: questionsOpen(hearing, today()),
        deadline: questionsDeadline(hearing.held_on),
        byTopic,
        total: rows.length,
        unanswered: rows.filter((r) => !r.answer).length,
      };
    },

    async ask(userId: number, hearingId: number, f: QuestionInput): Promise<void> {
      const h = await q.findHearing(db, hearingId);
      if (!h) throw new NotFoundError();
      if (!questionsOpen(h, today())) throw new ForbiddenError('participation:errors.questions_closed');
      if (!(await pq.emailConfirmed(db, userId))) throw new ForbiddenError('participation:errors.unconfirmed');
      await q.insertQuestion(db, { hearing_id: hearingId, ubigeo: h.ubigeo, user_id: userId, topic: f.topic, body: f.body, status: 'pending', version: 1, flags: 0, created_at: nowIso() });
    },

    /** Published questions of the municipality's hearing, for the official to answer. */
    async toAnswer(ubigeo: string, hearingId: number) {
      const h = await q.findHearing(db, hearingId);
      if (!h || h.ubigeo !== ubigeo) throw new NotFoundError();
      return q.publishedQuestions(db, hearingId);
    },

    /** The answer given at the hearing (public, audited); an answer already given changes only through the audit log. */
    async answer(actor: Actor, ubigeo: string, id: number, answer: string): Promise<number> {
      return db.transaction(async (trx) => {
        const row = await q.findQuestion(trx, id);
        if (!row || row.ubigeo !== ubigeo || row.status !== 'published') throw new NotFoundError();
        await q.answerQuestion(trx, id, answer, nowIso());
        await audited(trx, actor, 'hearing_question.answer', 'hearing_question', id, ubigeo, { answer: row.answer }, { answer });
        return row.hearing_id;
      });
    },
  };
}

export type QuestionService = ReturnType<typeof createQuestionService>;
