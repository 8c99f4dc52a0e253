/**
 * Webster / Sainte-Laguë apportionment (K:pkg/util/helper/webstermethod.go, binding.go): each
 * seat goes to the party with the highest `votes/(2·seats+1)`; ties go to fewer seats, then to
 * name order — ascending, or descending when fnv32a(resource UID) is odd (ascending without UID).
 */
import { fnv32a } from '../../api/karmada/names.ts';
import type { WebsterDiagnosis } from '../types.ts';

const MAX_ROUNDS_RECORDED = 200;

interface Party {
  name: string;
  votes: number;
  seats: number;
}

/** The name order used on ties for a resource UID. */
export function tieBreakOrder(uid: string | undefined): { order: 'ascending' | 'descending'; hash?: number } {
  if (!uid) return { order: 'ascending' };
  const hash = fnv32a(uid);
  return { order: (hash & 1) === 1 ? 'descending' : 'ascending', hash };
}

/**
 * Allocates `seats` new seats over `votes` (parties with 0 votes take part at priority 0),
 * starting from `initial`. Returns seats per party (every party, 0 included) and the record.
 */
export function allocateWebster(
  seats: number,
  votes: Readonly<Record<string, number>>,
  initial: Readonly<Record<string, number>> = {},
  uid?: string,
): WebsterDiagnosis {
  const { order, hash } = tieBreakOrder(uid);
  const parties = new Map<string, Party>();
  for (const [name, s] of Object.entries(initial)) parties.set(name, { name, votes: 0, seats: s });
  for (const [name, v] of Object.entries(votes)) {
    const p = parties.get(name);
    if (p) p.votes = v;
    else parties.set(name, { name, votes: v, seats: 0 });
  }
  const list = [...parties.values()];
  const rounds: string[] = [];
  const ties: WebsterDiagnosis['ties'] = [];
  const prio = (p: Party) => p.votes / (2 * p.seats + 1);
  const nameWins = (a: string, b: string) => (order === 'ascending' ? a < b : a > b);
  for (let round = 1; round <= seats && list.length > 0; round++) {
    let best = list[0]!;
    let bestPrio = prio(best);
    let tied: Party[] | undefined;
    for (let i = 1; i < list.length; i++) {
      const p = list[i]!;
      const pp = prio(p);
      if (pp > bestPrio) {
        best = p;
        bestPrio = pp;
        tied = undefined;
      } else if (pp === bestPrio) {
        tied ??= [best];
        tied.push(p);
        if (p.seats < best.seats || (p.seats === best.seats && nameWins(p.name, best.name))) best = p;
      }
    }
    if (tied && tied.length > 1 && ties.length < MAX_ROUNDS_RECORDED) {
      const winner = best;
      ties.push({
        round,
        tied: tied.map((p) => p.name).sort(),
        winner: winner.name,
        rule: tied.some((p) => p.seats !== winner.seats) ? 'fewerSeats' : 'name',
      });
    }
    best.seats++;
    if (rounds.length < MAX_ROUNDS_RECORDED) rounds.push(best.name);
  }
  list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const result: Record<string, number> = {};
  for (const p of list) result[p.name] = p.seats;
  return {
    seats,
    votes: { ...votes },
    ...(Object.keys(initial).length > 0 ? { initial: { ...initial } } : {}),
    tieBreak: order,
    ...(hash !== undefined ? { uidHash: hash } : {}),
    rounds,
    ties,
    result,
  };
}
