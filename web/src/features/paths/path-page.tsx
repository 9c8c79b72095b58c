import { Anchor, Badge, Card, Group, Progress, Stack, Text, ThemeIcon } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { usePath } from '../../api/getters/use-paths';
import type { ModuleSummary } from '../../api/paths-types';
import { ErrorAlert } from '../../components/error-alert';
import { PageHeader } from '../../components/page-header';
import { PageLoader } from '../../components/page-loader';

const STATUS: Record<ModuleSummary['status'], { label: string; color: string }> = {
  completed: { label: 'completed', color: 'green' },
  available: { label: 'open', color: 'blue' },
  locked: { label: 'locked', color: 'gray' },
};

/** A path: its modules in order, with mastery per skill; open ones link to their lesson. */
export function PathPage() {
  const { id = '' } = useParams();
  const path = usePath(id);
  if (path.isPending) return <PageLoader />;
  if (path.error) return <ErrorAlert error={path.error} />;
  const p = path.data.path;
  const pct = Math.round(p.progress * 100);
  return (
    <Stack gap="lg">
      <PageHeader
        title={p.roleTitle}
        description={`${p.completedModules} of ${p.moduleCount} modules complete. A module completes when every skill in it reaches its target mastery${p.allowMarkComplete ? ', or when you mark it complete' : ''}; the next one then opens.`}
        actions={
          <Anchor component={Link} to="/paths">
            My paths
          </Anchor>
        }
      />
      {p.status === 'archived' ? (
        <Badge color="gray" size="lg">
          Archived: resume it from My paths to carry on
        </Badge>
      ) : null}
      <Progress value={pct} size="lg" aria-label={`Path progress: ${pct} %`} />
      <Stack gap="sm" component="ol" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {p.modules.map((m) => (
          <li key={m.id}>
            <Card withBorder padding="md" aria-label={`Module ${m.position}: ${m.title}`}>
              <Group justify="space-between" wrap="wrap" mb="xs">
                <Group gap="sm">
                  <ThemeIcon radius="xl" color={STATUS[m.status].color} variant="light">
                    {m.position}
                  </ThemeIcon>
                  {m.status === 'locked' ? (
                    <Text fw={600} c="dimmed">
                      {m.title}
                    </Text>
                  ) : (
                    <Anchor component={Link} to={`/paths/${p.id}/modules/${m.id}`} fw={600}>
                      {m.title}
                    </Anchor>
                  )}
                </Group>
                <Badge color={STATUS[m.status].color} variant="light">
                  {STATUS[m.status].label}
                  {m.completedBy === 'learner' ? ' (marked)' : ''}
                </Badge>
              </Group>
              <Stack gap={6}>
                {m.skills.map((s) => (
                  <Group key={s.id} gap="sm" wrap="nowrap">
                    <Group gap={6} w={300} wrap="nowrap">
                      <Text size="sm" truncate title={s.name}>
                        {s.name}
                      </Text>
                      {s.required ? null : (
                        <Badge
                          size="xs"
                          variant="outline"
                          color="gray"
                          title="A prerequisite of the role's skills"
                        >
                          prereq
                        </Badge>
                      )}
                    </Group>
                    <Progress
                      flex={1}
                      value={Math.round(s.pKnown * 100)}
                      color={s.mastered ? 'green' : 'blue'}
                      aria-label={`${s.name}: mastery ${Math.round(s.pKnown * 100)} %, target ${Math.round(s.target * 100)} %`}
                    />
                    <Text size="xs" c="dimmed" w={80} ta="right">
                      {Math.round(s.pKnown * 100)} / {Math.round(s.target * 100)} %
                    </Text>
                  </Group>
                ))}
              </Stack>
            </Card>
          </li>
        ))}
      </Stack>
      <Text size="xs" c="dimmed">
        Skills marked “prereq” are not asked for by the role itself: they come before skills it
        needs.
      </Text>
    </Stack>
  );
}
