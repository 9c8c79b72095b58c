// Practise one question: /practice/:questionId (?pathId=&moduleId= record where it was practised).
import { Anchor, Stack } from '@mantine/core';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router-dom';
import { PageHeader } from '../../components/page-header';
import { PracticeQuestion } from './practice-question';

export function PracticePage() {
  const { questionId = '' } = useParams();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const pathId = params.get('pathId') ?? undefined;
  const moduleId = params.get('moduleId') ?? undefined;
  return (
    <Stack gap="lg" maw={760}>
      <Anchor component={Link} to="/dashboard" size="sm">
        ← My learning
      </Anchor>
      <PageHeader title="Practice" description="Answer, then see how it moved your mastery." />
      <PracticeQuestion
        questionId={questionId}
        context={pathId || moduleId ? { pathId, moduleId } : undefined}
        onNext={() => void navigate('/dashboard')}
        nextLabel="Back to my learning"
      />
    </Stack>
  );
}
