import { Badge, type BadgeProps } from '@mantine/core';
import { NODE_KIND_COLORS, NODE_KIND_LABELS, type NodeKind } from '../../api/graph-types';

/** "Concept" or "Skill", in the colours the question bank's tags use. */
export function KindBadge({ kind, ...rest }: { kind: NodeKind } & BadgeProps) {
  return (
    <Badge color={NODE_KIND_COLORS[kind]} variant="light" miw="fit-content" {...rest}>
      {NODE_KIND_LABELS[kind]}
    </Badge>
  );
}

/** How far a prerequisite or dependent is: "direct", or "2 steps". */
export function DepthBadge({ depth }: { depth: number }) {
  return (
    <Badge color={depth === 1 ? 'teal' : 'gray'} variant="outline" size="sm" miw="fit-content">
      {depth === 1 ? 'direct' : `${depth} steps`}
    </Badge>
  );
}
