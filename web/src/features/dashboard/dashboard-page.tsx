import {
  Button,
  Card,
  EmptyState,
  Group,
  SimpleGrid,
  Stack,
  Text,
  ThemeIcon,
  Title,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useMe } from '../../api/getters/use-me';
import type { Role, SessionUser } from '../../api/types';
import { BookIcon, ChalkboardIcon, ListIcon, ShieldIcon, UsersIcon } from '../../components/icons';
import { PageHeader } from '../../components/page-header';
import { LearnerDashboard } from './learner-dashboard';
import { TeachingOverview, useHasTeachingMaterial } from './teaching-overview';

interface DashboardCopy {
  heading: string;
  intro: string;
  emptyTitle: string;
  emptyDescription: string;
  icon: ReactNode;
}

// What each role will find here once the matching features exist. No numbers are invented.
const COPY: Record<Role, DashboardCopy> = {
  learner: {
    heading: 'My learning',
    intro: 'Your paths, reviews and progress in one place.',
    emptyTitle: 'Nothing to learn here yet',
    emptyDescription:
      'Once you pick a target role and take the placement test, your learning paths, reviews due, per-skill mastery and streak will appear here.',
    icon: <BookIcon size={28} />,
  },
  instructor: {
    heading: 'Teaching',
    intro: 'Your curriculum, question bank and cohorts in one place.',
    emptyTitle: 'No teaching material yet',
    emptyDescription:
      'When you import a knowledge graph and build a question bank, your curriculum, papers and cohort mastery will appear here.',
    icon: <ChalkboardIcon size={28} />,
  },
  admin: {
    heading: 'Administration',
    intro: 'Accounts, roles and the record of who changed what.',
    emptyTitle: 'No operations data yet',
    emptyDescription:
      'Request latency, error rate and AI usage will appear here once the ops dashboard is switched on. Meanwhile, use the shortcuts above to manage accounts.',
    icon: <ShieldIcon size={28} />,
  },
};

function AdminShortcuts() {
  return (
    <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
      <Card withBorder padding="lg">
        <Stack gap="sm" align="flex-start">
          <ThemeIcon variant="light" size="lg" aria-hidden="true">
            <UsersIcon size={20} />
          </ThemeIcon>
          <Title order={2} size="h4">
            User management
          </Title>
          <Text size="sm" c="dimmed">
            Create accounts, reset passwords, disable leavers and change roles.
          </Text>
          <Button component={Link} to="/admin/users" variant="light">
            Manage users
          </Button>
        </Stack>
      </Card>
      <Card withBorder padding="lg">
        <Stack gap="sm" align="flex-start">
          <ThemeIcon variant="light" size="lg" aria-hidden="true">
            <ListIcon size={20} />
          </ThemeIcon>
          <Title order={2} size="h4">
            Audit log
          </Title>
          <Text size="sm" c="dimmed">
            Every account change, with who made it and when.
          </Text>
          <Button component={Link} to="/admin/audit" variant="light">
            View audit log
          </Button>
        </Stack>
      </Card>
    </SimpleGrid>
  );
}

function EmptyDashboard({ copy }: { copy: DashboardCopy }) {
  return (
    <Card withBorder padding="xl">
      <EmptyState variant="light" icon={copy.icon}>
        <EmptyState.Title order={2}>{copy.emptyTitle}</EmptyState.Title>
        <EmptyState.Description>{copy.emptyDescription}</EmptyState.Description>
      </EmptyState>
    </Card>
  );
}

/** Instructors: the curriculum and bank at a glance once they hold anything. */
function InstructorDashboard({ copy }: { copy: DashboardCopy }) {
  const hasMaterial = useHasTeachingMaterial();
  if (hasMaterial === undefined) return null;
  return (
    <Stack gap="md">
      {hasMaterial ? <TeachingOverview /> : <EmptyDashboard copy={copy} />}
      <Card withBorder padding="lg">
        <Group justify="space-between" wrap="wrap" gap="sm">
          <Stack gap={2}>
            <Title order={2} size="h4">
              Cohort mastery
            </Title>
            <Text size="sm" c="dimmed">
              Learners × skills, from their practice answers.
            </Text>
          </Stack>
          <Button component={Link} to="/mastery/cohort" variant="light">
            Open cohort mastery
          </Button>
        </Group>
      </Card>
    </Stack>
  );
}

function Dashboard({ user }: { user: SessionUser }) {
  const copy = COPY[user.role];
  return (
    <Stack gap="lg" maw={1100}>
      <PageHeader title={copy.heading} description={`Welcome, ${user.name}. ${copy.intro}`} />
      {user.role === 'admin' ? <AdminShortcuts /> : null}
      {user.role === 'instructor' ? (
        <InstructorDashboard copy={copy} />
      ) : user.role === 'learner' ? (
        <LearnerDashboard />
      ) : (
        <EmptyDashboard copy={copy} />
      )}
    </Stack>
  );
}

export function DashboardPage() {
  const me = useMe();
  // RequireAuth has already loaded the user; this only narrows the type.
  if (!me.data) return null;
  return <Dashboard user={me.data} />;
}
