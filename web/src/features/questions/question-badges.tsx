import { Badge, Group, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router-dom';
import {
  QUESTION_STATUS_COLORS,
  QUESTION_STATUS_LABELS,
  type QuestionStatus,
  type QuestionTag,
} from '../../api/questions-types';

export function StatusBadge({ status }: { status: QuestionStatus }) {
  return (
    <Badge
      color={QUESTION_STATUS_COLORS[status]}
      variant="light"
      style={{ flexShrink: 0 }}
      miw="fit-content"
    >
      {QUESTION_STATUS_LABELS[status]}
    </Badge>
  );
}

/** Accepted tags solid and linked to their filtered list; suggestions outlined with confidence. */
export function TagBadges({ tags }: { tags: QuestionTag[] }) {
  const shown = tags.filter((t) => t.status !== 'rejected');
  if (shown.length === 0) {
    return (
      <Text size="xs" c="dimmed">
        Untagged
      </Text>
    );
  }
  return (
    <Group gap={4}>
      {shown.map((tag) => {
        const label = tag.name ?? tag.externalId ?? tag.nodeId;
        const param = tag.kind === 'skill' ? 'skill' : 'concept';
        if (tag.status === 'suggested') {
          return (
            <Tooltip
              key={tag.nodeId}
              label={`Suggested${tag.confidence !== null ? ` (${Math.round(tag.confidence * 100)}%)` : ''}${tag.reason ? `: ${tag.reason}` : ''}`}
            >
              <Badge size="sm" variant="outline" color="gray" tt="none">
                {label}?
              </Badge>
            </Tooltip>
          );
        }
        return (
          <Badge
            key={tag.nodeId}
            size="sm"
            variant="light"
            color={tag.kind === 'skill' ? 'grape' : 'indigo'}
            tt="none"
            component={Link}
            to={`/questions?${param}=${encodeURIComponent(tag.externalId ?? tag.nodeId)}`}
            style={{ cursor: 'pointer' }}
          >
            {label}
          </Badge>
        );
      })}
    </Group>
  );
}
