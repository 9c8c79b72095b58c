// The question bank as the tracker sees it: a bank question's max marks and accepted tags, read
// through the questions service as the instructor creating the paper (so visibility rules hold).
import { NotFoundError } from '../../platform/errors.ts';
import type { QuestionsService } from '../questions/questions-service.ts';
import type { TrackerBank } from './tracker-service.ts';

export function questionBankForTracker(questions: Pick<QuestionsService, 'get'>): TrackerBank {
  return {
    async question(actor, id) {
      try {
        const q = await questions.get(actor, id);
        if (q.view !== 'staff') return undefined;
        return {
          maxMarks: q.maxMarks,
          acceptedNodeIds: q.tags.filter((t) => t.status === 'accepted').map((t) => t.nodeId),
        };
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      }
    },
  };
}
