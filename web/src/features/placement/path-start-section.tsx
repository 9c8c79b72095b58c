// The result page's "Your path will start with": for a test taken for a role, the first module a
// path for that role would start with given the learner's mastery now (GET /api/paths/plan, the
// path generator's own planning as a dry run), with the button that creates the path; for a test
// over everything, the roles to choose from first.
import {
  Anchor,
  Badge,
  Button,
  Card,
  Group,
  NativeSelect,
  Progress,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { isApiError } from '../../api/api-error';
import { usePathPlan, useRoles } from '../../api/getters/use-paths';
import { ErrorAlert } from '../../components/error-alert';
import { StartPathButton } from '../paths/start-path-button';
import type { PlacementTarget } from './placement-api';

function RoleChoice({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const roles = useRoles();
  if (roles.error) return <ErrorAlert error={roles.error} onRetry={() => void roles.refetch()} />;
  return (
    <NativeSelect
      label="Choose a role to see where its path starts"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      disabled={roles.isPending}
      maw={520}
      data={[
        { value: '', label: 'Choose a role…' },
        ...(roles.data?.roles ?? []).map((r) => ({ value: r.id, label: r.title })),
      ]}
    />
  );
}

function PlanView({ role }: { role: string }) {
  const plan = usePathPlan(role);
  if (plan.isPending) return <Text c="dimmed">Working out your path…</Text>;
  if (plan.error) return <ErrorAlert error={plan.error} onRetry={() => void plan.refetch()} />;
  const p = plan.data;
  if (p.firstModule === null) {
    return (
      <Text size="sm">
        You already reach the target on every skill of <b>{p.role.title}</b>: a path for it would
        have nothing left to teach you.
      </Text>
    );
  }
  const m = p.firstModule;
  return (
    <Stack gap="sm">
      <Group gap="xs" wrap="wrap">
        <Text fw={600} data-testid="first-module-title">
          Module 1: {m.title}
        </Text>
        <Text size="sm" c="dimmed">
          of {p.moduleCount} {p.moduleCount === 1 ? 'module' : 'modules'} ({p.skillCount} skills)
          towards {p.role.title}
        </Text>
      </Group>
      <Stack gap={6} aria-label="Skills of the first module">
        {m.skills.map((s) => (
          <Group key={s.id} gap="sm" wrap="nowrap">
            <Stack gap={0} w={300}>
              <Anchor component={Link} to={`/mastery/${s.id}`} size="sm" truncate title={s.name}>
                {s.name}
              </Anchor>
              {s.required ? null : (
                <Text size="xs" c="dimmed">
                  a prerequisite
                </Text>
              )}
            </Stack>
            <Progress
              flex={1}
              value={Math.round(s.pKnown * 100)}
              aria-label={`${s.name}: mastery ${Math.round(s.pKnown * 100)} %`}
            />
            <Text size="xs" c="dimmed" w={80} ta="right">
              {Math.round(s.pKnown * 100)} / {Math.round(s.target * 100)} %
            </Text>
          </Group>
        ))}
      </Stack>
      {p.activePathId ? (
        <Group gap="sm">
          <Badge variant="light">You already follow a path for this role</Badge>
          <Button component={Link} to={`/paths/${p.activePathId}`} size="sm" variant="light">
            Continue your path
          </Button>
        </Group>
      ) : (
        <StartPathButton role={p.role.id} title={p.role.title} />
      )}
    </Stack>
  );
}

export function PathStartSection({ target }: { target: PlacementTarget }) {
  const [chosen, setChosen] = useState('');
  const testRole = target.kind === 'role' ? target.roleId : null;
  const plan = usePathPlan(testRole);
  // A role deleted since the test: the learner picks another one.
  const gone = isApiError(plan.error) && plan.error.status === 404;
  const role = testRole && !gone ? testRole : chosen || null;
  return (
    <Card withBorder padding="lg" component="section" aria-label="Where your path starts">
      <Title order={2} size="h4" mb="sm">
        Your path will start with
      </Title>
      <Stack gap="md">
        {testRole && gone ? (
          <Text size="sm" c="dimmed">
            The role this test was for, {target.title}, is no longer in the catalogue.
          </Text>
        ) : null}
        {testRole === null || gone ? <RoleChoice value={chosen} onChange={setChosen} /> : null}
        {role ? <PlanView role={role} /> : null}
      </Stack>
    </Card>
  );
}
