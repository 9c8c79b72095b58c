// The concept hierarchy from its top concepts down. A concept's sub-concepts and skills are
// fetched when it is opened, so a graph of any size starts at once. Each row is a disclosure
// button (aria-expanded) beside a link to the node's page: both reachable by keyboard.
import { ActionIcon, Anchor, Box, Group, List, Loader, Text } from '@mantine/core';
import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { errorMessage } from '../../api/api-error';
import { useGraphChildren } from '../../api/getters/use-graph';
import { nodePath, type TreeNode } from '../../api/graph-types';
import { KindBadge } from './node-badges';

function Chevron({ open }: { open: boolean }) {
  return (
    <svg
      width={16}
      height={16}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      style={{ transform: open ? 'rotate(90deg)' : undefined, transition: 'transform 120ms' }}
    >
      <path d="M9 6l6 6-6 6" />
    </svg>
  );
}

function TreeItem({ node }: { node: TreeNode }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  const expandable = node.kind === 'concept' && node.childCount > 0;
  const children = useGraphChildren(node.externalId, expandable && open);

  return (
    <List.Item>
      <Group gap={6} wrap="nowrap" py={3}>
        {expandable ? (
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-expanded={open}
            aria-controls={open ? listId : undefined}
            aria-label={`${open ? 'Close' : 'Open'} ${node.name}`}
            onClick={() => setOpen((o) => !o)}
          >
            <Chevron open={open} />
          </ActionIcon>
        ) : (
          <Box w={22} style={{ flexShrink: 0 }} />
        )}
        <KindBadge kind={node.kind} size="xs" />
        <Anchor component={Link} to={nodePath(node)} size="sm" fw={500} lineClamp={1}>
          {node.name}
        </Anchor>
        <Text size="xs" c="dimmed" visibleFrom="xs" truncate>
          {node.externalId}
          {expandable ? ` · ${node.childCount} inside` : ''}
        </Text>
      </Group>
      {expandable && open ? (
        children.isPending ? (
          <Group gap="xs" pl={34} py={4} role="status">
            <Loader size="xs" />
            <Text size="xs" c="dimmed">
              Loading what is inside {node.name}…
            </Text>
          </Group>
        ) : children.isError ? (
          <Text size="xs" c="red" pl={34} role="alert">
            {errorMessage(children.error)}
          </Text>
        ) : (
          <TreeList nodes={children.data} id={listId} label={`Inside ${node.name}`} nested />
        )
      ) : null}
    </List.Item>
  );
}

export function TreeList({
  nodes,
  id,
  label,
  nested = false,
}: {
  nodes: TreeNode[];
  id?: string;
  label: string;
  nested?: boolean;
}) {
  return (
    <List
      id={id}
      aria-label={label}
      listStyleType="none"
      spacing={0}
      pl={nested ? 26 : 0}
      styles={{ itemWrapper: { display: 'block' } }}
    >
      {nodes.map((node) => (
        <TreeItem key={node.id} node={node} />
      ))}
    </List>
  );
}
