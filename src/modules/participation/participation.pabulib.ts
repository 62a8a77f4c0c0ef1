/**
 * The Pabulib format (pabulib.org/format), the open format research on participatory budgeting
 * reads: a `META` section of `key;value` lines, a `PROJECTS` section (`project_id;cost;votes;name`
 * plus extra columns), and a `VOTES` section (`voter_id;vote`, the vote being the chosen project
 * ids separated by commas). Costs and the budget are whole soles (céntimos rounded to the sol);
 * voter ids are 1…n in the order ballots were cast, never an account.
 */
export interface PabulibFile {
  meta: Record<string, string>;
  projects: Array<{ project_id: string; cost: number; votes: number; name: string; workshop_votes: number; proposer_type: string; organisation: string }>;
  votes: Array<{ voter_id: string; vote: string[] }>;
}

const cell = (v: string) => v.replace(/[;\r\n]+/g, ' ').trim();
const sol = (centimos: number) => Math.round(centimos / 100);

export function writePabulib(d: {
  process: { ubigeo: string; year: number; budget_envelope: number | null };
  place: string;
  projects: Array<{ id: number; reviewed_cost: number | null; ballots: number; title_es: string; workshop_votes: number | null; proposer_type?: string; org_name?: string | null }>;
  ballots: number[][];
}): string {
  const meta: Array<[string, string | number]> = [
    ['description', `Presupuesto participativo ${d.process.year}, ${cell(d.place)} (ubigeo ${d.process.ubigeo}), votación en línea / online ballot`],
    ['country', 'Peru'],
    ['unit', cell(d.place)],
    ['instance', d.process.year],
    ['district', d.process.ubigeo],
    ['num_projects', d.projects.length],
    ['num_votes', d.ballots.length],
    ['budget', sol(d.process.budget_envelope ?? 0)],
    ['vote_type', 'approval'],
    ['rule', 'greedy'],
    ['currency', 'PEN'],
    ['date_begin', `${d.process.year}`],
    ['language', 'es'],
    [
      'comment',
      'workshop_votes: votos de los agentes participantes en el taller / workshop tally, apart from the online ballot; proposer_type: resident | organisation, organisation: its name (no person is named)',
    ],
  ];
  const lines = ['META', 'key;value', ...meta.map(([k, v]) => `${k};${v}`), 'PROJECTS', 'project_id;cost;votes;name;workshop_votes;proposer_type;organisation'];
  for (const p of d.projects) lines.push(`${p.id};${sol(p.reviewed_cost ?? 0)};${p.ballots};${cell(p.title_es)};${p.workshop_votes ?? 0};${p.proposer_type ?? 'resident'};${cell(p.org_name ?? '')}`);
  lines.push('VOTES', 'voter_id;vote');
  d.ballots.forEach((b, i) => lines.push(`${i + 1};${b.join(',')}`));
  return lines.join('\n') + '\n';
}

/** Reads a Pabulib file (the sections above; extra columns kept by name). */
export function readPabulib(text: string): PabulibFile {
  const out: PabulibFile = { meta: {}, projects: [], votes: [] };
  let section = '';
  let header: string[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) continue;
    if (['META', 'PROJECTS', 'VOTES'].includes(line)) {
      section = line;
      header = [];
      continue;
    }
    const cells = line.split(';');
    if (!header.length) {
      header = cells;
      continue;
    }
    const r = Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
    if (section === 'META') out.meta[cells[0]] = cells.slice(1).join(';');
    else if (section === 'PROJECTS')
      out.projects.push({
        project_id: r.project_id,
        cost: Number(r.cost),
        votes: Number(r.votes),
        name: r.name,
        workshop_votes: Number(r.workshop_votes ?? 0),
        proposer_type: r.proposer_type ?? 'resident',
        organisation: r.organisation ?? '',
      });
    else if (section === 'VOTES') out.votes.push({ voter_id: r.voter_id, vote: r.vote ? r.vote.split(',') : [] });
  }
  return out;
}
