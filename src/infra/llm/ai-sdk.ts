// The Vercel AI SDK, loaded on the first call to a real provider. With the offline generator (the
// embedded default) it is never loaded, which keeps it out of the server's start-up memory.
import type * as Ai from 'ai';

export type AiSdk = typeof Ai;

let loading: Promise<AiSdk> | undefined;
let loaded: AiSdk | undefined;

export async function loadAiSdk(): Promise<AiSdk> {
  loading ??= import('ai').then((sdk) => (loaded = sdk));
  return loading;
}

/** The SDK when something has loaded it; an error can only come from the SDK once it has. */
export function loadedAiSdk(): AiSdk | undefined {
  return loaded;
}
