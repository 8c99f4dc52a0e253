/**
 * Region group choice (K:pkg/scheduler/core/spreadconstraint/select_groups.go): a depth-first
 * search over groups sorted by cluster count, collecting every set with at least `target`
 * clusters and `min..max` groups, then the heaviest set (preferring a shorter prefix of it).
 */

/** One group (a region): its cluster count (`value`) and score (`weight`). */
export interface GroupInfo {
  name: string;
  value: number;
  weight: number;
}

interface Path {
  id: number;
  groups: GroupInfo[];
  weight: number;
  value: number;
}

function byWeight(a: GroupInfo, b: GroupInfo): number {
  if (a.weight !== b.weight) return b.weight - a.weight;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function isPrefix(path: Path, sub: Path): boolean {
  if (sub.groups.length >= path.groups.length) return false;
  return sub.groups.every((g, i) => path.groups[i]?.name === g.name);
}

/** The chosen groups, or [] when no set satisfies the constraints. */
export function selectGroups(groups: GroupInfo[], min: number, max: number, target: number): GroupInfo[] {
  if (groups.length === 0) return [];
  const sorted = [...groups].sort((a, b) => {
    if (a.value !== b.value) return a.value - b.value;
    if (a.weight !== b.weight) return b.weight - a.weight;
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  const paths: Path[] = [];
  const stack: GroupInfo[] = [];
  let nextId = 0;
  const dfs = (sum: number, begin: number): void => {
    if (sum >= target && stack.length >= min && stack.length <= max) {
      const gs = [...stack].sort(byWeight);
      paths.push({
        id: ++nextId,
        groups: gs,
        weight: gs.reduce((s, g) => s + g.weight, 0),
        value: gs.reduce((s, g) => s + g.value, 0),
      });
      return;
    }
    if (stack.length >= max) return;
    for (let i = begin; i < sorted.length; i++) {
      sum += sorted[i]!.value;
      stack.push(sorted[i]!);
      dfs(sum, i + 1);
      if (sorted.length === min) break;
      sum -= sorted[i]!.value;
      stack.pop();
    }
  };
  dfs(0, 0);
  if (paths.length === 0) return [];
  paths.sort((a, b) => b.weight - a.weight || b.value - a.value || a.id - b.id);
  let final = paths[0]!;
  for (let i = 1; i < paths.length; i++) if (isPrefix(final, paths[i]!)) final = paths[i]!;
  return final.groups;
}
