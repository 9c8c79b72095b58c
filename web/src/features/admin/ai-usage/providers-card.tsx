import {
  Alert,
  Badge,
  Button,
  Card,
  Code,
  Group,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../../api/api-error';
import { useLlmApi } from '../../../api/actions/use-llm-api';
import { useLlmFeatures } from '../../../api/getters/use-llm-usage';
import type { LlmFeature, LlmProviderCheck } from '../../../api/llm-types';
import { ErrorAlert } from '../../../components/error-alert';
import { formatLatency, formatTokens } from './format';

/** Says plainly that the built-in generator is not an AI model. */
export function OfflineBadge() {
  return (
    <Tooltip
      label="The built-in offline generator: deterministic text made from the prompt, no AI model, no network, no cost."
      multiline
      w={280}
    >
      <Badge color="gray" variant="light" tabIndex={0}>
        Offline generator
      </Badge>
    </Tooltip>
  );
}

function ProviderCell({ feature }: { feature: LlmFeature }) {
  if (!feature.offline) {
    return (
      <Text size="sm">
        {feature.model}{' '}
        <Text span size="xs" c="dimmed">
          ({feature.provider})
        </Text>
      </Text>
    );
  }
  return (
    <Stack gap={2} align="flex-start">
      <OfflineBadge />
      {feature.fallbackReason ? (
        <Text size="xs" c="dimmed">
          Configured: {feature.configuredProvider}, but {feature.fallbackReason}
        </Text>
      ) : null}
    </Stack>
  );
}

function CheckResult({ result }: { result: LlmProviderCheck }) {
  if (!result.ok) {
    return (
      <Alert
        color="red"
        variant="light"
        title={`${result.feature}: ${result.error.title}`}
        role="alert"
      >
        <Text size="sm">{result.error.message}</Text>
        <Text size="xs" c="dimmed" mt={4}>
          {result.error.code} · {result.provider} / {result.model}
        </Text>
      </Alert>
    );
  }
  return (
    <Alert
      color={result.offline ? 'gray' : 'teal'}
      variant="light"
      title={
        result.offline
          ? `${result.feature}: the offline generator answered`
          : `${result.feature}: ${result.model} answered`
      }
      role="status"
    >
      <Stack gap={4}>
        <Group gap="xs">
          {result.offline ? <OfflineBadge /> : <Badge variant="light">AI-generated</Badge>}
          <Text size="sm">“{result.reply.greeting}”</Text>
        </Group>
        <Text size="xs" c="dimmed">
          {formatLatency(result.latencyMs)} · {formatTokens(result.usage.totalTokens)} tokens
          {result.retries > 0 ? ` · ${result.retries} retries` : ''}
          {result.offline
            ? ' · made without an AI model: configure a provider to check a real one'
            : ''}
        </Text>
      </Stack>
    </Alert>
  );
}

/** The features of config/llm.yaml, the provider each really uses, and a check button each. */
export function ProvidersCard() {
  const features = useLlmFeatures();
  const { checkProvider } = useLlmApi();
  const [checking, setChecking] = useState<string | null>(null);
  const [result, setResult] = useState<LlmProviderCheck | null>(null);

  const check = (feature: string) => {
    setChecking(feature);
    setResult(null);
    checkProvider.mutate(
      { feature },
      {
        onSuccess: setResult,
        onSettled: () => setChecking(null),
      },
    );
  };

  const allOffline = features.data?.every((f) => f.offline) ?? false;

  return (
    <Card withBorder padding="md">
      <Stack gap="sm">
        <Group justify="space-between" align="flex-end">
          <div>
            <Title order={2} size="h4">
              AI providers
            </Title>
            <Text size="sm" c="dimmed">
              Set in <Code>config/llm.yaml</Code>; keys and addresses come from the server’s
              environment. “Check” runs a tiny generation and records it like any other call.
            </Text>
          </div>
        </Group>
        {allOffline ? (
          <Alert color="gray" variant="light" title="No AI provider is configured">
            Every feature uses the built-in offline generator: its text is made from the prompt
            without any AI model, and the app labels it as such. Set <Code>OPENAI_API_KEY</Code>,{' '}
            <Code>ANTHROPIC_API_KEY</Code> or <Code>OLLAMA_BASE_URL</Code> and choose a provider in{' '}
            <Code>config/llm.yaml</Code> to use a real model.
          </Alert>
        ) : null}
        {features.isError ? (
          <ErrorAlert
            error={features.error}
            title="The providers could not be loaded"
            onRetry={() => void features.refetch()}
          />
        ) : null}
        {features.data ? (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing="xs" aria-label="AI features and their providers">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Feature</Table.Th>
                  <Table.Th>Model</Table.Th>
                  <Table.Th>Limits</Table.Th>
                  <Table.Th w={110}>
                    <VisuallyHidden>Actions</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {features.data.map((f) => (
                  <Table.Tr key={f.feature}>
                    <Table.Td>
                      <Code>{f.feature}</Code>
                      {f.source !== f.feature ? (
                        <Text span size="xs" c="dimmed" ml={6}>
                          uses {f.source}
                        </Text>
                      ) : null}
                    </Table.Td>
                    <Table.Td>
                      <ProviderCell feature={f} />
                    </Table.Td>
                    <Table.Td>
                      <Text size="xs" c="dimmed">
                        {formatTokens(f.maxTokens)} tokens · {formatLatency(f.timeoutMs)} ·{' '}
                        {f.retries} retries · {f.concurrency} at once
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Button
                        size="xs"
                        variant="default"
                        onClick={() => check(f.feature)}
                        loading={checking === f.feature}
                        disabled={checking !== null && checking !== f.feature}
                        aria-label={`Check ${f.feature}`}
                      >
                        Check
                      </Button>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        ) : null}
        {checkProvider.isError ? (
          <Alert color="red" variant="light" title="The check was refused" role="alert">
            {errorMessage(checkProvider.error)}
          </Alert>
        ) : null}
        {result ? <CheckResult result={result} /> : null}
      </Stack>
    </Card>
  );
}
