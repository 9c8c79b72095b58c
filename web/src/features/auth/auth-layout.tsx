import { Box, Center, Group, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { LogoMark } from '../../components/icons';

interface AuthLayoutProps {
  title: string;
  subtitle: ReactNode;
  children: ReactNode;
}

/** The centred card that the login and sign-up pages share. */
export function AuthLayout({ title, subtitle, children }: AuthLayoutProps) {
  return (
    <Center component="main" mih="100vh" p="md">
      <Box w="100%" maw={420}>
        <Stack gap="lg">
          <Group gap={10} justify="center">
            <LogoMark size={36} />
            <Text fw={700} fz={26}>
              SkillBridge
            </Text>
          </Group>
          <Paper withBorder shadow="sm" p="xl" radius="md">
            <Stack gap="lg">
              <Stack gap={4}>
                <Title order={1} size="h3">
                  {title}
                </Title>
                <Text size="sm" c="dimmed">
                  {subtitle}
                </Text>
              </Stack>
              {children}
            </Stack>
          </Paper>
        </Stack>
      </Box>
    </Center>
  );
}
