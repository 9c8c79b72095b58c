import { Button, Card, Stack, Table, Text, Title, VisuallyHidden } from '@mantine/core';
import type { LlmBudgets, LlmUsageGroup } from '../../../api/llm-types';
import type { BudgetTarget } from './budget-modal';
import { budgetText } from './budgets-card';
import { formatTokens, formatUsd } from './format';

const TOP = 10;

/** The users who spent the most tokens in the period, with their budget and a way to change it. */
export function TopUsersTable({
  groups,
  budgets,
  onEdit,
}: {
  groups: LlmUsageGroup[];
  budgets: LlmBudgets | undefined;
  onEdit: (target: BudgetTarget) => void;
}) {
  const top = groups.slice(0, TOP);
  const overrides = new Map((budgets?.overrides ?? []).map((b) => [b.userId, b]));
  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <div>
          <Title order={3} size="h5">
            Top users
          </Title>
          <Text size="sm" c="dimmed">
            By tokens spent in the period
            {groups.length > TOP ? ` (${TOP} of ${groups.length})` : ''}. System work (jobs without
            a user) is listed too and has no budget.
          </Text>
        </div>
        {top.length === 0 ? (
          <Text size="sm" c="dimmed">
            No calls in this period.
          </Text>
        ) : (
          <Table.ScrollContainer minWidth={720}>
            <Table striped verticalSpacing="xs" aria-label="Top users by tokens">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>User</Table.Th>
                  <Table.Th ta="right">Calls</Table.Th>
                  <Table.Th ta="right">Input</Table.Th>
                  <Table.Th ta="right">Output</Table.Th>
                  <Table.Th ta="right">Cost</Table.Th>
                  <Table.Th ta="right">Errors</Table.Th>
                  <Table.Th ta="right">Refused</Table.Th>
                  <Table.Th>Budget</Table.Th>
                  <Table.Th>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {top.map((g) => {
                  const own = overrides.get(g.key);
                  const isUser = g.key !== '' && !g.label.startsWith('Deleted user');
                  const budget = own
                    ? budgetText(own.dailyTokens)
                    : budgets
                      ? `${budgetText(budgets.defaultDailyTokens)} (default)`
                      : '—';
                  return (
                    <Table.Tr key={g.key || 'system'}>
                      <Table.Td>
                        <Text size="sm" c={isUser ? undefined : 'dimmed'}>
                          {g.label}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">{formatTokens(g.calls)}</Table.Td>
                      <Table.Td ta="right">{formatTokens(g.inputTokens)}</Table.Td>
                      <Table.Td ta="right">{formatTokens(g.outputTokens)}</Table.Td>
                      <Table.Td ta="right">{formatUsd(g.costUsd)}</Table.Td>
                      <Table.Td ta="right">
                        <Text span size="sm" c={g.errors > 0 ? 'red' : undefined}>
                          {g.errors}
                        </Text>
                      </Table.Td>
                      <Table.Td ta="right">
                        <Text span size="sm" c={g.budgetRefusals > 0 ? 'yellow.8' : undefined}>
                          {g.budgetRefusals}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm">{isUser ? budget : '—'}</Text>
                      </Table.Td>
                      <Table.Td>
                        {isUser ? (
                          <Button
                            size="xs"
                            variant="default"
                            aria-label={`Set the budget of ${g.label}`}
                            onClick={() =>
                              onEdit({
                                kind: 'user',
                                userId: g.key,
                                email: g.label,
                                dailyTokens: own?.dailyTokens ?? null,
                              })
                            }
                          >
                            Budget…
                          </Button>
                        ) : null}
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
    </Card>
  );
}
