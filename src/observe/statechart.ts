/**
 * A statechart drawn from a machine definition itself: its state nodes (nested ones inside their
 * parent) and its transitions, each labelled by the event that takes it or, for an invoked
 * actor's outcome, by the actor and the guard that picks the branch (the error kind that drove
 * it). The graph is laid out by elkjs, in this process, so the page only draws boxes and lines.
 */
import elkBundled from 'elkjs/lib/elk.bundled.js';
import type { ELK as ElkApi, ELKConstructorArguments } from 'elkjs/lib/elk-api.js';
import type { AnyStateMachine } from 'xstate';

/** One state: `path` is its dotted path below the root (`polling.checkingStatus`). */
export interface ChartState {
  path: string;
  key: string;
  parent: string | null;
  final: boolean;
  /** Whether it has child states (drawn as a box around them). */
  compound: boolean;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface ChartTransition {
  id: string;
  source: string;
  target: string;
  /** Every event and guard that takes this transition, one a line. */
  label: string;
  /** Points of the laid-out line, in the chart's coordinates. */
  points: Array<{ x: number; y: number }>;
  /** The label drawn on the line (the first event, and how many more), in the box elkjs kept free for it. */
  labelBox: { text: string; x: number; y: number; width: number; height: number } | null;
}

export interface Statechart {
  machine: string;
  initial: string;
  states: ChartState[];
  transitions: ChartTransition[];
  width: number;
  height: number;
}

interface NodeLike {
  path: string[];
  key: string;
  type: string;
  states: Record<string, NodeLike>;
  transitions: Map<string, Array<{ target?: NodeLike[]; guard?: unknown }>>;
  always?: Array<{ target?: NodeLike[]; guard?: unknown }>;
  initial?: { target?: NodeLike[] };
}

const ACTOR_DONE = 'xstate.done.actor.';
const ACTOR_ERROR = 'xstate.error.actor.';

/** What a guard says, in a reader's words: `isDuplicate` → `duplicate`, `canRetry` → `retryable`. */
function guardWords(guard: unknown): string {
  if (guard === undefined) return '';
  const object = guard as { type?: unknown; params?: unknown };
  const name = typeof guard === 'string' ? guard : typeof object.type === 'string' ? object.type : 'guard';
  const params = object.params && typeof object.params === 'object' ? Object.values(object.params as Record<string, unknown>).filter((v) => typeof v === 'string') : [];
  if (params.length > 0) return params.join(' ');
  if (name === 'canRetry' || name === 'isRetryable') return 'retryable';
  return name.replace(/^(is|has|can)(?=[A-Z])/, '').replace(/^[A-Z]/, (c) => c.toLowerCase());
}

function eventWords(event: string): string {
  if (event.startsWith(ACTOR_DONE)) return `${event.slice(ACTOR_DONE.length)} ok`;
  if (event.startsWith(ACTOR_ERROR)) return `${event.slice(ACTOR_ERROR.length)} error`;
  return event;
}

/**
 * The states and transitions of a machine, not yet laid out.
 *
 * @example
 * const { states, transitions } = chartOf(memberMachine);
 * states.map((s) => s.path); // ['resolvingCredentialFields', 'creating', ...]
 */
export function chartOf(machine: AnyStateMachine): Pick<Statechart, 'machine' | 'initial' | 'states' | 'transitions'> {
  const states: ChartState[] = [];
  const edges = new Map<string, { source: string; target: string; labels: string[] }>();
  const pathOf = (node: NodeLike) => node.path.join('.');
  const visit = (node: NodeLike, parent: string | null) => {
    const path = pathOf(node);
    const children = Object.values(node.states);
    states.push({ path, key: node.key, parent, final: node.type === 'final', compound: children.length > 0, x: 0, y: 0, width: 0, height: 0 });
    const add = (event: string, transition: { target?: NodeLike[]; guard?: unknown }) => {
      for (const target of transition.target ?? []) {
        const to = pathOf(target);
        if (!to) continue;
        const id = `${path}->${to}`;
        const guard = guardWords(transition.guard);
        const label = guard ? `${eventWords(event)}: ${guard}` : eventWords(event);
        const edge = edges.get(id) ?? { source: path, target: to, labels: [] };
        if (!edge.labels.includes(label)) edge.labels.push(label);
        edges.set(id, edge);
      }
    };
    for (const [event, transitions] of node.transitions) for (const t of transitions) add(event, t);
    for (const t of node.always ?? []) add('always', t);
    for (const child of children) visit(child, path);
  };
  const root = machine.root as unknown as NodeLike;
  for (const child of Object.values(root.states)) visit(child, null);
  for (const [event, transitions] of root.transitions) {
    for (const t of transitions) for (const target of t.target ?? []) {
      const id = `*->${pathOf(target)}`;
      const edge = edges.get(id) ?? { source: '*', target: pathOf(target), labels: [] };
      if (!edge.labels.includes(eventWords(event))) edge.labels.push(eventWords(event));
      edges.set(id, edge);
    }
  }
  const transitions = [...edges.entries()]
    .filter(([, e]) => e.source !== '*')
    .map(([id, e]) => ({ id, source: e.source, target: e.target, label: e.labels.join('\n'), points: [], labelBox: null }));
  return { machine: machine.id, initial: pathOf(root.initial?.target?.[0] ?? ({ path: [] } as unknown as NodeLike)), states, transitions };
}

type ElkNode = { id: string; width?: number; height?: number; x?: number; y?: number; children?: ElkNode[]; labels?: Array<{ text: string }>; edges?: ElkEdge[] };
type ElkLabel = { text: string; width: number; height: number; x?: number; y?: number };
type ElkEdge = { id: string; sources: string[]; targets: string[]; labels?: ElkLabel[]; sections?: Array<{ startPoint: { x: number; y: number }; endPoint: { x: number; y: number }; bendPoints?: Array<{ x: number; y: number }> }>; container?: string };

const CHAR_WIDTH = 7;
/**
 * Edge labels are drawn in a 10-px monospace font, whose every character is 0.6 em wide, so the box
 * elkjs keeps free for a label is the box the page draws (with a pixel to spare each side).
 */
const LABEL_CHAR_WIDTH = 6.1;
const LABEL_HEIGHT = 14;

/**
 * What a line shows: its first event, and how many others take the same line (the page lists
 * them all on hover).
 *
 * @example
 * shortLabel('createMember error: duplicate\nmember.deleted') // 'createMember error: duplicate (+1)'
 */
export function shortLabel(label: string): string {
  const lines = label.split('\n');
  return lines.length > 1 ? `${lines[0]} (+${lines.length - 1})` : (lines[0] ?? '');
}
// elkjs is CommonJS: its module.exports is the constructor, which TypeScript sees as the namespace.
const ELK = elkBundled as unknown as new (args?: ELKConstructorArguments) => ElkApi;

/**
 * The statechart of a machine with positions from elkjs's layered layout.
 *
 * @example
 * const chart = await layoutStatechart(memberMachine);
 * chart.states.find((s) => s.path === 'polling')?.compound; // true
 */
export async function layoutStatechart(machine: AnyStateMachine): Promise<Statechart> {
  const chart = chartOf(machine);
  const nodes = new Map<string, ElkNode>();
  const top: ElkNode[] = [];
  for (const state of chart.states) {
    const node: ElkNode = { id: state.path, width: Math.max(90, state.key.length * CHAR_WIDTH + 24), height: 44, labels: [{ text: state.key }], children: [] };
    nodes.set(state.path, node);
    if (state.parent === null) top.push(node);
    else nodes.get(state.parent)?.children?.push(node);
  }
  for (const node of nodes.values()) {
    if (node.children && node.children.length > 0) {
      delete node.width;
      delete node.height;
      // Room above the children for the compound state's own name.
      (node as ElkNode & { layoutOptions?: Record<string, string> }).layoutOptions = { 'elk.padding': '[top=40,left=12,bottom=12,right=12]' };
    }
  }
  const elk = new ELK();
  const laid = (await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '40',
      'elk.spacing.nodeNode': '30',
      'elk.padding': '[top=28,left=12,bottom=12,right=12]',
      'elk.edgeRouting': 'ORTHOGONAL',
      // Labels are laid out as boxes of their own, so no two overlap and none sits on a state.
      'elk.edgeLabels.placement': 'CENTER',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.compaction.postCompaction.strategy': 'EDGE_LENGTH',
      'elk.layered.spacing.edgeNodeBetweenLayers': '16',
    },
    children: top,
    edges: chart.transitions.map((t) => {
      const text = shortLabel(t.label);
      return { id: t.id, sources: [t.source], targets: [t.target], labels: [{ text, width: Math.ceil(text.length * LABEL_CHAR_WIDTH) + 4, height: LABEL_HEIGHT }] };
    }),
  } as never)) as unknown as ElkNode & { edges?: ElkEdge[] };
  const positions = new Map<string, { x: number; y: number; width: number; height: number }>();
  const offsets = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]]);
  const place = (node: ElkNode, dx: number, dy: number) => {
    const x = dx + (node.x ?? 0);
    const y = dy + (node.y ?? 0);
    positions.set(node.id, { x, y, width: node.width ?? 0, height: node.height ?? 0 });
    offsets.set(node.id, { x, y });
    for (const child of node.children ?? []) place(child, x, y);
  };
  for (const node of laid.children ?? []) place(node, 0, 0);
  const edges = new Map<string, ElkEdge>();
  const collect = (node: ElkNode) => {
    for (const edge of node.edges ?? []) edges.set(edge.id, edge);
    for (const child of node.children ?? []) collect(child);
  };
  collect(laid);
  return {
    ...chart,
    states: chart.states.map((s) => ({ ...s, ...positions.get(s.path) })),
    transitions: chart.transitions.map((t) => {
      const edge = edges.get(t.id);
      const offset = offsets.get(edge?.container ?? 'root') ?? { x: 0, y: 0 };
      const points = (edge?.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]);
      const label = edge?.labels?.[0];
      const labelBox = label && label.x !== undefined && label.y !== undefined
        ? { text: label.text, x: label.x + offset.x, y: label.y + offset.y, width: label.width, height: label.height }
        : null;
      return { ...t, points: points.map((p) => ({ x: p.x + offset.x, y: p.y + offset.y })), labelBox };
    }),
    width: laid.width ?? 0,
    height: laid.height ?? 0,
  };
}
