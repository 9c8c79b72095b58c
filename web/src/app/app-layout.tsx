import {
  Anchor,
  AppShell,
  Burger,
  Button,
  Group,
  NavLink,
  Stack,
  Text,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import type { ReactNode } from 'react';
import { useEffect } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { errorMessage } from '../api/api-error';
import { useAuthApi } from '../api/actions/use-auth-api';
import { useMe } from '../api/getters/use-me';
import type { Role, SessionUser } from '../api/types';
import {
  ActivityIcon,
  BookIcon,
  ChalkboardIcon,
  CompassIcon,
  HomeIcon,
  ListIcon,
  LogoMark,
  ShieldIcon,
  SparkIcon,
  UserIcon,
  UsersIcon,
} from '../components/icons';
import { RoleBadge } from '../components/role-badge';
import { GraphIcon } from '../features/graph/graph-icon';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
}

function navSectionsFor(role: Role): { section: string; items: NavItem[] }[] {
  const sections = [
    {
      section: ROLE_SECTION[role],
      items: [
        { to: '/dashboard', label: 'Dashboard', icon: <HomeIcon size={18} /> },
        { to: '/roles', label: 'Roles', icon: <ChalkboardIcon size={18} /> },
        ...(role === 'learner'
          ? [{ to: '/paths', label: 'My paths', icon: <BookIcon size={18} /> }]
          : []),
        ...(role === 'learner'
          ? [{ to: '/placement', label: 'Placement test', icon: <ChalkboardIcon size={18} /> }]
          : []),
        ...(role === 'learner'
          ? [
              { to: '/mastery', label: 'Mastery', icon: <CompassIcon size={18} /> },
              { to: '/reviews', label: 'Reviews', icon: <ListIcon size={18} /> },
            ]
          : [{ to: '/mastery/cohort', label: 'Mastery cohort', icon: <UsersIcon size={18} /> }]),
        { to: '/jobs', label: 'Jobs', icon: <ActivityIcon size={18} /> },
        { to: '/papers', label: 'Papers', icon: <BookIcon size={18} /> },
        role === 'learner'
          ? { to: '/tracker', label: 'Exam tracker', icon: <ActivityIcon size={18} /> }
          : { to: '/tracker/cohort', label: 'Cohort', icon: <UsersIcon size={18} /> },
        ...(role === 'learner'
          ? [{ to: '/recommendations', label: 'Recommendations', icon: <SparkIcon size={18} /> }]
          : []),
        ...(role === 'learner'
          ? []
          : [{ to: '/questions', label: 'Questions', icon: <ListIcon size={18} /> }]),
        ...(role === 'learner'
          ? []
          : [{ to: '/questions/review', label: 'Review tags', icon: <SparkIcon size={18} /> }]),
        ...(role === 'learner'
          ? []
          : [{ to: '/graph', label: 'Knowledge graph', icon: <GraphIcon size={18} /> }]),
        { to: '/account', label: 'Account', icon: <UserIcon size={18} /> },
      ],
    },
  ];
  if (role === 'admin') {
    sections.push({
      section: 'Administration',
      items: [
        { to: '/admin/users', label: 'Users', icon: <UsersIcon size={18} /> },
        { to: '/admin/audit', label: 'Audit log', icon: <ListIcon size={18} /> },
        { to: '/admin/ai-usage', label: 'AI usage', icon: <SparkIcon size={18} /> },
      ],
    });
  }
  return sections;
}

const ROLE_SECTION: Record<Role, string> = {
  learner: 'Learning',
  instructor: 'Teaching',
  admin: 'General',
};

const ROLE_ICON: Record<Role, ReactNode> = {
  learner: <BookIcon size={16} />,
  instructor: <ChalkboardIcon size={16} />,
  admin: <ShieldIcon size={16} />,
};

function UserMenu({ user }: { user: SessionUser }) {
  const navigate = useNavigate();
  const { logout } = useAuthApi();

  const onLogout = () => {
    logout.mutate(undefined, {
      onSuccess: () => notifications.show({ color: 'teal', message: 'You are logged out.' }),
      onError: (error) =>
        notifications.show({ color: 'red', title: 'Logout failed', message: errorMessage(error) }),
      onSettled: () => void navigate('/login', { replace: true }),
    });
  };

  return (
    <Group gap="sm" wrap="nowrap">
      <Group gap={6} wrap="nowrap" visibleFrom="xs">
        <Text component="span" c="dimmed" aria-hidden="true" display="flex">
          {ROLE_ICON[user.role]}
        </Text>
        <Text size="sm" fw={500} truncate="end" maw={220}>
          <VisuallyHidden>Logged in as </VisuallyHidden>
          {user.name}
        </Text>
      </Group>
      <RoleBadge role={user.role} />
      <Button variant="default" size="xs" onClick={onLogout} loading={logout.isPending}>
        Log out
      </Button>
    </Group>
  );
}

export function AppLayout() {
  const location = useLocation();
  const me = useMe();
  const user = me.data ?? null;
  const [navOpened, nav] = useDisclosure(false);
  const closeNav = nav.close;

  // Close the mobile navigation after following a link.
  useEffect(() => {
    closeNav();
  }, [location.pathname, closeNav]);

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={
        user
          ? { width: 240, breakpoint: 'sm', collapsed: { mobile: !navOpened } }
          : { width: 0, breakpoint: 'sm', collapsed: { mobile: true, desktop: true } }
      }
      padding="lg"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            {user ? (
              <Burger
                opened={navOpened}
                onClick={nav.toggle}
                hiddenFrom="sm"
                size="sm"
                aria-label={navOpened ? 'Close navigation' : 'Open navigation'}
              />
            ) : null}
            <Anchor
              component={Link}
              to={user ? '/dashboard' : '/login'}
              underline="never"
              c="inherit"
              aria-label="SkillBridge home"
            >
              <Group gap={8} wrap="nowrap">
                <LogoMark />
                {/* On a phone the mark alone, so the role and Log out keep their room. */}
                <Text fw={700} size="lg" visibleFrom="xs">
                  SkillBridge
                </Text>
              </Group>
            </Anchor>
          </Group>
          {user ? (
            <UserMenu user={user} />
          ) : me.isPending ? null : (
            <Group gap="xs">
              <Button component={Link} to="/login" variant="default" size="xs">
                Log in
              </Button>
              <Button component={Link} to="/signup" size="xs">
                Sign up
              </Button>
            </Group>
          )}
        </Group>
      </AppShell.Header>

      {user ? (
        <AppShell.Navbar p="sm" aria-label="Main navigation">
          <Stack gap="md">
            {navSectionsFor(user.role).map((section) => (
              <Stack key={section.section} gap={2}>
                <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" pb={4}>
                  {section.section}
                </Text>
                {section.items.map((item) => {
                  const active = location.pathname === item.to;
                  return (
                    <NavLink
                      key={item.to + item.label}
                      component={Link}
                      to={item.to}
                      label={item.label}
                      leftSection={item.icon}
                      active={active}
                      aria-current={active ? 'page' : undefined}
                    />
                  );
                })}
              </Stack>
            ))}
          </Stack>
        </AppShell.Navbar>
      ) : null}

      <AppShell.Main>
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
