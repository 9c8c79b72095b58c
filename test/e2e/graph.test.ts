// The knowledge graph in Chromium against the real server (demo graph imported on first start):
// an instructor uploads a graph whose edges file has a prerequisite cycle (the problem names the
// ids and lines, nothing is imported), then the fixed files (the summary), searches for a skill,
// sees its prerequisites and dependents, clicks a node in the drawing and follows "Questions on
// this skill"; a learner is refused the import page. Every page is also shot at phone width.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/server-process.ts';
import { atPath, chromiumAvailable, logIn, screenshot, visible } from './browser.ts';
import { useBrowserSuite } from './browser-suite.ts';
import { DEMO_PASSWORD } from './server-process.ts';

const INSTRUCTOR = 'instructor@example.com';
const LEARNER = 'learner@example.com';
const PHONE = { width: 390, height: 844 };

const demo = (file: string) =>
  readFileSync(path.join(REPO_ROOT, 'config/demo/graph', file), 'utf8');
const CONCEPTS = demo('concept_nodes.csv');
const SKILLS = demo('skill_nodes.csv');
const EDGES = demo('edges.csv');
// Line 19 of the demo file says add-fractions is needed before add-mixed-numbers; this row,
// line 71, says the opposite.
const EDGES_WITH_CYCLE = `${EDGES.trimEnd()}\nadd-mixed-numbers,add-fractions,prerequisite\n`;
const EDGES_FIXED = `${EDGES.trimEnd()}\nadd-fractions,divide-fractions,prerequisite\n`;

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main navigation' });
const sizeCard = (page: Page, label: string) =>
  page.getByRole('list', { name: 'Graph size' }).getByRole('listitem').filter({ hasText: label });
const drawing = (page: Page) => page.getByRole('img', { name: /^Graph of / });

async function countOf(page: Page, label: string): Promise<number> {
  const text = (await sizeCard(page, label).textContent()) ?? '';
  return Number(/(\d+)\s*$/.exec(text)?.[1]);
}

async function chooseGraphFiles(page: Page, edges: string): Promise<void> {
  // The three file inputs in the page's order: concepts, skills, edges.
  const inputs = page.locator('input[type="file"]');
  const files = [
    ['concept_nodes.csv', CONCEPTS],
    ['skill_nodes.csv', SKILLS],
    ['edges.csv', edges],
  ] as const;
  for (const [i, [name, content]] of files.entries()) {
    await inputs.nth(i).setInputFiles({
      name,
      mimeType: 'text/csv',
      buffer: Buffer.from(content, 'utf8'),
    });
  }
}

/**
 * Clicks a node of the Cytoscape drawing where it is drawn on the canvas. The position comes
 * from the library's own instance on its container (the canvas has no DOM per node); the click
 * itself is a real mouse click.
 */
async function clickDrawnNode(page: Page, externalId: string): Promise<void> {
  const container = await visible(drawing(page));
  // Runs in the page (this file is compiled without the DOM library, hence the string).
  const drawnPoint = `(() => {
    const el = document.querySelector('[role="img"][aria-label^="Graph of"]');
    const cy = el && el._cyreg && el._cyreg.cy;
    if (!cy) return null;
    const node = cy.nodes('[externalId = ${JSON.stringify(externalId)}]');
    if (node.length !== 1) return null;
    const box = el.getBoundingClientRect();
    const p = node.renderedPosition();
    return { x: box.left + p.x, y: box.top + p.y };
  })()`;
  await page.waitForFunction(drawnPoint, undefined, { timeout: 15_000 });
  await container.scrollIntoViewIfNeeded();
  // The box takes its final height and the drawing is fitted into it: wait until the node
  // stays put (a slow machine may take a while).
  let point = (await page.evaluate(drawnPoint)) as { x: number; y: number } | null;
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(250);
    const next = (await page.evaluate(drawnPoint)) as { x: number; y: number } | null;
    const still = next && point && next.x === point.x && next.y === point.y;
    point = next;
    if (still) break;
  }
  expect(point, `${externalId} is drawn`).not.toBeNull();
  await page.mouse.click(point!.x, point!.y);
}

describe.skipIf(!chromiumAvailable)('knowledge graph', () => {
  const suite = useBrowserSuite();
  let page: Page;
  beforeEach(() => {
    ({ page } = suite);
  });

  it('reports a cycle by ids and lines without importing anything, then imports the fixed files', async () => {
    await page.goto('/login');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    await nav(page).getByRole('link', { name: 'Knowledge graph' }).click();
    await atPath(page, '/graph');
    await visible(page.getByRole('heading', { name: 'Knowledge graph', level: 1 }));
    await visible(sizeCard(page, 'Edges').getByText('69'));
    expect(await countOf(page, 'Concepts')).toBe(12);
    expect(await countOf(page, 'Skills')).toBe(45);
    // The concept tree opens a level at a time.
    const tree = page.getByRole('list', { name: 'Concept tree' });
    await tree.getByRole('button', { name: 'Open Number' }).click();
    await visible(
      page
        .getByRole('list', { name: 'Inside Number' })
        .getByRole('link', { name: 'Fractions', exact: true }),
    );
    await screenshot(page, 'graph-browse');
    // Export gives back the files in the shape they are imported in.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export edges.csv' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('edges.csv');
    const exported = readFileSync(await download.path(), 'utf8').split(/\r?\n/);
    expect(exported[0]).toBe('source_id,target_id,type');
    expect(exported).toContain('add-fractions,add-mixed-numbers,prerequisite');

    await page.getByRole('link', { name: 'Import graph' }).click();
    await atPath(page, '/graph/import');
    await visible(page.getByRole('heading', { name: 'Import the knowledge graph' }));
    const importButton = page.getByRole('button', { name: 'Import', exact: true });
    expect(await importButton.isDisabled()).toBe(true);
    await screenshot(page, 'graph-import');

    await chooseGraphFiles(page, EDGES_WITH_CYCLE);
    await importButton.click();
    const problemTable = await visible(page.getByRole('table', { name: 'Problems' }));
    await visible(page.getByText('Nothing was imported'));
    const rows = problemTable.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    const cells = rows.first().locator('td');
    expect(await cells.nth(0).textContent()).toBe('edges.csv');
    expect(await cells.nth(1).textContent()).toBe('19');
    const message = (await cells.nth(2).textContent()) ?? '';
    expect(message).toContain('add-fractions → add-mixed-numbers → add-fractions');
    expect(message).toContain('lines 19, 71');
    // The counts on the page are those of the graph as it was.
    expect(await countOf(page, 'Edges')).toBe(69);
    expect(await countOf(page, 'Skills')).toBe(45);
    await screenshot(page, 'graph-import-cycle');

    await chooseGraphFiles(page, EDGES_FIXED);
    await importButton.click();
    const summary = await visible(page.getByRole('table', { name: 'Import summary' }));
    const change = async (label: string) =>
      (
        await summary.locator('tbody tr').filter({ hasText: label }).locator('td').allTextContents()
      ).map((t) => t.trim());
    // Concepts and skills, then edges: one edge new, everything else as it was.
    expect(await change('Created')).toEqual(['0', '1']);
    expect(await change('Updated')).toEqual(['0', '0']);
    expect(await change('Unchanged')).toEqual(['57', '69']);
    await visible(sizeCard(page, 'Edges').getByText('70'));
    await visible(
      page.getByRole('table', { name: 'Recent imports' }).getByText('Priya Instructor'),
    );
    await screenshot(page, 'graph-import-done');
    await page.setViewportSize(PHONE);
    await screenshot(page, 'graph-import-done-phone');
  });

  it('finds a skill, shows what it needs and what needs it, and moves through the drawing', async () => {
    await page.goto('/login?next=/graph');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/graph');
    await page.getByRole('searchbox', { name: 'Search the graph' }).fill('adding');
    const results = await visible(page.getByRole('table', { name: 'Search results' }));
    const hit = results.locator('tbody tr').filter({ hasText: 'add-fractions' });
    await visible(hit.getByText('Skill', { exact: true }));
    expect(new URL(page.url()).searchParams.get('q')).toBe('adding');
    await screenshot(page, 'graph-search');
    await hit.getByRole('link', { name: 'Adding fractions' }).click();

    await atPath(page, '/graph/nodes/add-fractions');
    await visible(page.getByRole('heading', { name: 'Adding fractions', level: 1 }));
    const prerequisites = await visible(page.getByRole('table', { name: 'Prerequisites' }));
    const direct = prerequisites
      .locator('tbody tr')
      .filter({ hasText: 'Find equivalent fractions' });
    await visible(direct.getByText('direct'));
    const twoSteps = prerequisites.locator('tbody tr').filter({ hasText: 'Recognise fractions' });
    await visible(twoSteps.getByText('2 steps'));
    const dependents = page.getByRole('table', { name: 'Dependents' });
    await visible(dependents.getByRole('link', { name: 'Add and subtract mixed numbers' }));
    await visible(
      page.getByRole('navigation', { name: 'Where this is in the graph' }).getByRole('link', {
        name: 'Operations with fractions',
      }),
    );
    await visible(drawing(page));
    // The text alternative lists every drawn node; two steps draws more of them.
    // (5 in the demo graph, 6 once the first test has added add-fractions → divide-fractions.)
    await visible(page.getByText(/^1 step away \([56]\)$/));
    expect(await page.getByText(/^2 steps away/).count()).toBe(0);
    const radius2 = page.getByRole('radio', { name: '2 steps' });
    await page.locator(`label[for="${await radius2.getAttribute('id')}"]`).click();
    await visible(page.getByText(/^2 steps away \(\d+\)$/));
    await screenshot(page, 'graph-node-radius-2');
    const radius1 = page.getByRole('radio', { name: '1 step' });
    await page.locator(`label[for="${await radius1.getAttribute('id')}"]`).click();
    await page.getByText(/^2 steps away/).waitFor({ state: 'detached' });
    await screenshot(page, 'graph-node');

    await clickDrawnNode(page, 'add-mixed-numbers');
    await atPath(page, '/graph/nodes/add-mixed-numbers');
    await visible(page.getByRole('heading', { name: 'Add and subtract mixed numbers', level: 1 }));
    await visible(
      page.getByRole('table', { name: 'Prerequisites' }).getByRole('link', {
        name: 'Adding fractions',
      }),
    );

    await page.getByRole('link', { name: 'Questions on this skill' }).click();
    await atPath(page, '/questions', '?skill=add-mixed-numbers');
    await visible(page.getByText('Skill: Add and subtract mixed numbers'));
    await visible(page.getByText(/ of 1 questions$/));

    await page.goto('/graph/nodes/no-such-node');
    await visible(page.getByText('No such concept or skill'));
    await visible(page.getByText('There is no node "no-such-node" in the graph.'));
  });

  it('fits the pages on a phone and keeps the drawing clickable', async () => {
    await page.setViewportSize(PHONE);
    await page.goto('/login?next=/graph');
    await logIn(page, INSTRUCTOR, DEMO_PASSWORD);
    await atPath(page, '/graph');
    await visible(page.getByRole('heading', { name: 'Knowledge graph', level: 1 }));
    await page.getByRole('button', { name: 'Open Number' }).click();
    await visible(page.getByRole('list', { name: 'Inside Number' }));
    await screenshot(page, 'graph-browse-phone');

    await page.goto('/graph/nodes/add-fractions');
    const box = await (await visible(drawing(page))).boundingBox();
    expect(box?.width).toBeLessThanOrEqual(PHONE.width);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      PHONE.width,
    );
    await screenshot(page, 'graph-node-phone');
    await clickDrawnNode(page, 'equivalent-fractions');
    await atPath(page, '/graph/nodes/equivalent-fractions');
    await visible(page.getByRole('heading', { name: 'Find equivalent fractions', level: 1 }));

    await page.goto('/graph/import');
    await visible(page.getByRole('heading', { name: 'Import the knowledge graph' }));
    await screenshot(page, 'graph-import-phone');
  });

  it('refuses the import page to a learner', async () => {
    await page.goto('/login');
    await logIn(page, LEARNER, DEMO_PASSWORD);
    await atPath(page, '/dashboard');
    expect(await nav(page).getByRole('link', { name: 'Knowledge graph' }).count()).toBe(0);
    await page.goto('/graph/import');
    await visible(page.getByRole('heading', { name: 'You are not allowed to see this page' }));
    expect(await page.locator('input[type="file"]').count()).toBe(0);
    await screenshot(page, 'graph-import-learner');
  });
});
