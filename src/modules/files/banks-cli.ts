// The `skillbridge banks push|pull` commands, and the storage start-up of `serve` (prepare the
// store, pull the banks when BANKS_PULL_ON_START=true).
import type { Command } from 'commander';
import type { Deps } from '../../container.ts';
import { formatSyncReport, pullBanks, pushBanks } from './bank-sync.ts';

type WithDeps = <T>(fn: (deps: Deps) => Promise<T>) => Promise<T>;

const out = (line: string) => process.stdout.write(line + '\n');

export function registerBanksCommands(program: Command, withDeps: WithDeps): void {
  const banks = program
    .command('banks')
    .description('sync question banks between a folder and the file store (banks/)');
  banks
    .command('push')
    .description('upload DIR to the store under banks/, skipping unchanged files (size + SHA-256)')
    .argument('<dir>', 'the folder to upload')
    .option('--delete', 'also delete stored bank files that are not in DIR')
    .action(async (dir: string, options: { delete?: boolean }) => {
      await withDeps(async (deps) => {
        await deps.blobs.init();
        const report = await pushBanks(deps.blobs, dir, { deleteExtra: options.delete === true });
        for (const line of formatSyncReport('pushed', report)) out(line);
      });
    });
  banks
    .command('pull')
    .description('mirror banks/ from the store into DIR (default BANKS_CACHE_DIR)')
    .argument('[dir]', 'the local cache folder')
    .action(async (dir: string | undefined) => {
      await withDeps(async (deps) => {
        await deps.blobs.init();
        const target = dir ?? deps.config.banks.cacheDir;
        const report = await pullBanks(deps.blobs, target);
        for (const line of formatSyncReport('pulled', report)) out(line);
        out(`  into ${target}`);
      });
    });
}

/**
 * Prepare the store before serving (create the directory or bucket); then, when configured,
 * pull the banks. A failed pull is logged and the server starts anyway with the cache it has.
 */
export async function startStorage(deps: Deps): Promise<void> {
  await deps.blobs.init();
  if (!deps.config.banks.pullOnStart) return;
  try {
    const report = await pullBanks(deps.blobs, deps.config.banks.cacheDir);
    deps.logger.info(
      {
        pulled: report.transferred,
        bytes: report.bytes,
        unchanged: report.unchanged,
        removed: report.removed,
        skipped: report.skipped.length,
        dir: deps.config.banks.cacheDir,
      },
      `banks: ${formatSyncReport('pulled', report)[0]}`,
    );
  } catch (err) {
    deps.logger.error({ err }, 'banks pull at start-up failed; serving with the cache as it is');
  }
}
