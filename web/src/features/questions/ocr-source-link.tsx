// On a question's page: the way back to the image it was read from, when it came from OCR.
import { Anchor } from '@mantine/core';
import { Link } from 'react-router-dom';
import { useOcrDraftOfQuestion } from './ocr-api';

export function OcrSourceLink({ questionId }: { questionId: string }) {
  const draft = useOcrDraftOfQuestion(questionId, true);
  if (!draft.data) return null;
  return (
    <Anchor component={Link} to={`/questions/ocr/${draft.data.id}`} size="sm" display="block">
      Correct beside its image ({draft.data.fileName})
    </Anchor>
  );
}
