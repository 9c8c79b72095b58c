import { Anchor, Badge, Group, Stack, Text } from '@mantine/core';
import type { ResourceType } from '../../api/paths-types';

const TYPE_COLOUR: Record<ResourceType, string> = {
  article: 'blue',
  video: 'red',
  course: 'teal',
  book: 'orange',
  exercise: 'grape',
};

/** Golden resources: title as an external link, type and the skills it teaches. */
export function ResourceList({
  resources,
}: {
  resources: {
    title: string;
    url: string;
    type: ResourceType;
    description: string | null;
    skills: string[];
  }[];
}) {
  if (resources.length === 0) return <Text c="dimmed">No resources listed yet.</Text>;
  return (
    <Stack gap="sm" component="ul" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
      {resources.map((r) => (
        <li key={`${r.url}-${r.title}`}>
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <Badge color={TYPE_COLOUR[r.type]} variant="light" miw={84} style={{ flexShrink: 0 }}>
              {r.type}
            </Badge>
            <Stack gap={2}>
              <Anchor href={r.url} target="_blank" rel="noopener noreferrer nofollow">
                {r.title}
              </Anchor>
              {r.description ? <Text size="sm">{r.description}</Text> : null}
              <Text size="xs" c="dimmed">
                Teaches: {r.skills.join(', ')}
              </Text>
            </Stack>
          </Group>
        </li>
      ))}
    </Stack>
  );
}
