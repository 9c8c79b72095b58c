// Golden resources for a recommendation set, from the roles catalogue (src/modules/paths): every
// curated resource of any role that teaches one of the set's skills, once per address, the ones
// teaching more of the set's skills first (then by title).
import type { RecommendationsResources } from './recommendations-service.ts';

export const MAX_RESOURCES = 8;

interface Catalogue {
  listRoles(): Promise<Array<{ id: string }>>;
  getRole(ref: string): Promise<{
    resources: Array<{
      title: string;
      url: string;
      type: string;
      description: string | null;
      skills: Array<{ id: string }>;
    }>;
  }>;
}

export function rolesCatalogueResources(paths: Catalogue): RecommendationsResources {
  return {
    async forSkills(skillIds) {
      const wanted = new Set(skillIds);
      const byUrl = new Map<
        string,
        { title: string; url: string; type: string; description: string | null; skillIds: string[] }
      >();
      for (const role of await paths.listRoles()) {
        for (const r of (await paths.getRole(role.id)).resources) {
          const matching = r.skills.map((s) => s.id).filter((id) => wanted.has(id));
          if (matching.length === 0) continue;
          const seen = byUrl.get(r.url);
          if (seen) {
            seen.skillIds = [...new Set([...seen.skillIds, ...matching])];
          } else {
            byUrl.set(r.url, {
              title: r.title,
              url: r.url,
              type: r.type,
              description: r.description,
              skillIds: matching,
            });
          }
        }
      }
      return [...byUrl.values()]
        .sort(
          (a, b) =>
            b.skillIds.length - a.skillIds.length ||
            a.title.localeCompare(b.title) ||
            a.url.localeCompare(b.url),
        )
        .slice(0, MAX_RESOURCES);
    },
  };
}
