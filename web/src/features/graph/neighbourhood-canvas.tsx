// The drawing of a neighbourhood with Cytoscape.js. The library is imported here on first use,
// so only people who open a node's page download it. It draws on a canvas (its one stylesheet
// rule is allowed by the Content-Security-Policy's style-src); clicking or tapping a node
// opens that node's page. The drawing is re-laid out when its width changes.
import { Box, Center, Loader, Text, useMantineTheme } from '@mantine/core';
import type { Core, EdgeSingular, ElementDefinition, StylesheetJson } from 'cytoscape';
import { useEffect, useRef, useState } from 'react';
import type { Neighbourhood } from '../../api/graph-types';
import {
  drawnEdges,
  edgeBends,
  layoutNeighbourhood,
  type LayoutEdge,
  type Positions,
} from './neighbourhood-layout';

const NODE_HEIGHT = 46;
/** Narrow boxes (a phone) get narrower nodes, so two fit side by side at a readable size. */
const COMPACT_BELOW = 520;
const MIN_HEIGHT = 260;
const MAX_HEIGHT = 720;

interface Props {
  data: Neighbourhood;
  label: string;
  onOpen: (externalId: string) => void;
}

interface Metrics {
  compact: boolean;
  nodeWidth: number;
  columnGap: number;
  perRow: number;
}

function metricsFor(width: number): Metrics {
  const compact = width < COMPACT_BELOW;
  const nodeWidth = compact ? 118 : 150;
  const columnGap = compact ? 134 : 190;
  return {
    compact,
    nodeWidth,
    columnGap,
    perRow: Math.max(2, Math.floor((width - 24 - nodeWidth) / columnGap) + 1),
  };
}

export function NeighbourhoodCanvas({ data, label, onOpen }: Props) {
  const theme = useMantineTheme();
  const containerRef = useRef<HTMLDivElement>(null);
  const onOpenRef = useRef(onOpen);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [height, setHeight] = useState(MIN_HEIGHT);

  useEffect(() => {
    onOpenRef.current = onOpen;
  }, [onOpen]);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    let cy: Core | undefined;
    let observer: ResizeObserver | undefined;
    let cancelled = false;
    const c = theme.colors;
    const distance = new Map(data.nodes.map((n) => [n.id, n.distance]));
    const edges = drawnEdges(data.edges, distance);
    const edgeId = (e: LayoutEdge) => `${e.type}:${e.source}:${e.target}`;
    const bendsFor = (positions: Positions, m: Metrics) =>
      edgeBends(edges, positions, { width: m.nodeWidth, height: NODE_HEIGHT + 8 });

    const place = (m: Metrics) => {
      const positions = layoutNeighbourhood(data.nodes, data.edges, data.center, {
        perRow: m.perRow,
        columnGap: m.columnGap,
        rowGap: 90,
        layerGap: 20,
      });
      const ys = [...positions.values()].map((p) => p.y);
      const span = ys.length ? Math.max(...ys) - Math.min(...ys) : 0;
      // Tall enough to read at full size; the drawing is fitted into the box either way.
      setHeight(Math.min(MAX_HEIGHT, Math.max(MIN_HEIGHT, span + 120)));
      return positions;
    };

    void import('cytoscape')
      .then(({ default: cytoscape }) => {
        if (cancelled) return;
        let metrics = metricsFor(container.clientWidth);
        const positions = place(metrics);
        const bends = bendsFor(positions, metrics);
        const elements: ElementDefinition[] = [
          ...data.nodes.map((n) => ({
            group: 'nodes' as const,
            data: { id: n.id, externalId: n.externalId, label: n.name, kind: n.kind },
            classes: [
              n.kind,
              n.id === data.center ? 'center' : '',
              metrics.compact ? 'compact' : '',
            ]
              .filter(Boolean)
              .join(' '),
            position: positions.get(n.id) ?? { x: 0, y: 0 },
          })),
          ...edges.map((e) => ({
            group: 'edges' as const,
            data: { id: edgeId(e), source: e.source, target: e.target, bend: bends.get(e) ?? 0 },
            classes: e.type,
          })),
        ];
        const style: StylesheetJson = [
          {
            selector: 'node',
            style: {
              shape: 'round-rectangle',
              width: 150,
              height: NODE_HEIGHT,
              label: 'data(label)',
              'text-wrap': 'wrap',
              'text-max-width': '136px',
              'text-valign': 'center',
              'text-halign': 'center',
              'font-size': 12,
              'font-family': theme.fontFamily ?? 'sans-serif',
              color: c.dark[7],
              'border-width': 1.5,
            },
          },
          {
            selector: 'node.skill',
            style: { 'background-color': c.grape[0], 'border-color': c.grape[6] },
          },
          {
            selector: 'node.concept',
            style: {
              'background-color': c.indigo[0],
              'border-color': c.indigo[6],
              shape: 'rectangle',
            },
          },
          {
            selector: 'node.compact',
            style: { width: 118, 'text-max-width': '108px', 'font-size': 11 },
          },
          {
            selector: 'node.center',
            style: { 'border-width': 4, 'font-weight': 'bold', height: 54 },
          },
          { selector: 'node:active', style: { 'overlay-opacity': 0.08 } },
          {
            selector: 'edge',
            style: {
              'curve-style': 'unbundled-bezier',
              'control-point-distances': (edge: EdgeSingular) => Number(edge.data('bend')),
              'control-point-weights': 0.5,
            },
          },
          {
            selector: 'edge.prerequisite',
            style: {
              width: 2,
              'line-color': c.gray[7],
              'target-arrow-color': c.gray[7],
              'target-arrow-shape': 'triangle',
              'arrow-scale': 1.1,
            },
          },
          {
            selector: 'edge.part_of',
            style: {
              width: 1.5,
              'line-color': c.indigo[3],
              'line-style': 'dashed',
              'line-dash-pattern': [6, 4],
              // A hollow diamond at the concept the node belongs to.
              'target-arrow-shape': 'diamond',
              'target-arrow-fill': 'hollow',
              'target-arrow-color': c.indigo[5],
            },
          },
        ];
        cy = cytoscape({
          container,
          elements,
          style,
          layout: { name: 'preset', fit: true, padding: 24 },
          autoungrabify: true,
          boxSelectionEnabled: false,
          selectionType: 'single',
          autounselectify: true,
          minZoom: 0.3,
          maxZoom: 2,
        });
        cy.on('tap', 'node', (event) => {
          onOpenRef.current(String(event.target.data('externalId')));
        });
        cy.on('mouseover', 'node', () => (container.style.cursor = 'pointer'));
        cy.on('mouseout', 'node', () => (container.style.cursor = ''));

        observer = new ResizeObserver(() => {
          if (!cy) return;
          const next = metricsFor(container.clientWidth);
          if (next.perRow !== metrics.perRow || next.compact !== metrics.compact) {
            metrics = next;
            const nextPositions = place(next);
            const nextBends = bendsFor(nextPositions, next);
            cy.batch(() => {
              cy?.nodes().forEach((node) => {
                const p = nextPositions.get(node.id());
                if (p) node.position(p);
                if (next.compact) node.addClass('compact');
                else node.removeClass('compact');
              });
              for (const e of edges) {
                cy?.getElementById(edgeId(e)).data('bend', nextBends.get(e) ?? 0);
              }
            });
          }
          cy.resize();
          cy.fit(undefined, 24);
        });
        observer.observe(container);
        setState('ready');
      })
      .catch(() => {
        if (!cancelled) setState('failed');
      });

    return () => {
      cancelled = true;
      observer?.disconnect();
      cy?.destroy();
    };
  }, [data, theme]);

  return (
    <Box pos="relative">
      <Box
        ref={containerRef}
        role="img"
        aria-label={label}
        h={height}
        bd="1px solid var(--mantine-color-gray-3)"
        bg="white"
        style={{ borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden' }}
      />
      {state !== 'ready' ? (
        <Center pos="absolute" inset={0}>
          {state === 'loading' ? (
            <Loader size="sm" aria-label="Drawing the graph" />
          ) : (
            <Text size="sm" c="red" role="alert">
              The drawing could not be loaded; the list below has the same nodes.
            </Text>
          )}
        </Center>
      ) : null}
    </Box>
  );
}
