/**
 * Weights in and out as safetensors with the official state_dict key names and shapes.
 * Two forms:
 *   - single network: keys exactly as the official `module.state_dict()` (`mapping.fc0.weight`,
 *     `synthesis.L3_36_28.affine.bias`, `b16.conv0.weight`, ...): what the golden files hold;
 *   - checkpoint: several networks in one file, each key prefixed with the network's name and a dot
 *     (`G.`, `G_ema.`, `D.`), like the official pickle's G / G_ema / D.
 * Loading reports every missing, unexpected or mis-shaped key in ONE RunError.
 */
import { RunError } from '../errors.ts';
import { readSafetensors, writeSafetensors, type NamedTensor, type SafetensorsFile } from '../io/safetensors.ts';
import type { NetState } from './state.ts';

/** Anything that owns a NetState (Generator, Discriminator). */
export interface HasState { readonly state: NetState }

export const CHECKPOINT_NETWORKS = ['G', 'G_ema', 'D'] as const;
export type NetworkName = (typeof CHECKPOINT_NETWORKS)[number];

/** A source of tensors: a path, an already-read file, or a plain map. */
export type WeightSource = string | SafetensorsFile | Map<string, NamedTensor>;

function tensorsOf(src: WeightSource): { tensors: Map<string, NamedTensor>; where: string } {
  if (typeof src === 'string') return { tensors: readSafetensors(src).tensors, where: src };
  if (src instanceof Map) return { tensors: src, where: 'weights' };
  return { tensors: src.tensors, where: 'weights' };
}

/** Writes one network with the official keys (no prefix). */
export function saveNetwork(path: string, net: HasState, metadata: Record<string, string> = {}): void {
  writeSafetensors(path, net.state.toNamedTensors(), { format: 'sg3-state-dict', ...metadata });
}

/** Writes several networks into one checkpoint, keys prefixed `NAME.` (e.g. `G_ema.mapping.w_avg`). */
export function saveCheckpoint(path: string, nets: Partial<Record<NetworkName, HasState>>, metadata: Record<string, string> = {}): void {
  const all = new Map<string, NamedTensor>();
  const names: string[] = [];
  for (const name of CHECKPOINT_NETWORKS) {
    const net = nets[name];
    if (!net) continue;
    names.push(name);
    for (const [k, v] of net.state.toNamedTensors(`${name}.`)) all.set(k, v);
  }
  writeSafetensors(path, all, { format: 'sg3-checkpoint', networks: names.join(','), ...metadata });
}

/** Loads one network from a single-network file (`prefix` ''), or from a checkpoint with `prefix` 'G_ema.' etc. */
export function loadNetwork(net: HasState, src: WeightSource, prefix = ''): void {
  const { tensors, where } = tensorsOf(src);
  // A single-network load from a checkpoint file must not count the other networks' keys as unexpected.
  const own = prefix === '' ? filterOutPrefixed(tensors) : tensors;
  if (prefix === '' && own.size === 0 && tensors.size > 0) {
    throw new RunError(`${where}: this is a checkpoint of ${checkpointNetworks(tensors).join(', ')}; name the network to load (got keys like ${[...tensors.keys()][0]})`);
  }
  net.state.load(own, where, prefix);
}

/** Loads every named network from one checkpoint (keys `NAME.*`). */
export function loadCheckpoint(src: WeightSource, nets: Partial<Record<NetworkName, HasState>>): void {
  const { tensors, where } = tensorsOf(src);
  for (const name of CHECKPOINT_NETWORKS) {
    const net = nets[name];
    if (net) net.state.load(tensors, where, `${name}.`);
  }
}

/** The networks a checkpoint holds (prefixes among G, G_ema, D); empty for a single-network file. */
export function checkpointNetworks(tensors: Map<string, NamedTensor>): NetworkName[] {
  const keys = [...tensors.keys()];
  return CHECKPOINT_NETWORKS.filter((n) => keys.some((k) => k.startsWith(`${n}.`)));
}

function filterOutPrefixed(tensors: Map<string, NamedTensor>): Map<string, NamedTensor> {
  return new Map([...tensors].filter(([k]) => !CHECKPOINT_NETWORKS.some((n) => k.startsWith(`${n}.`))));
}

/**
 * Loads a network from a single-network file, or from a checkpoint taking the first of
 * `preferred` it holds. Returns what was loaded ('state_dict' for a single-network file).
 */
export function loadPreferred(net: HasState, src: WeightSource, preferred: readonly NetworkName[]): NetworkName | 'state_dict' {
  const { tensors, where } = tensorsOf(src);
  const nets = checkpointNetworks(tensors);
  if (nets.length === 0) {
    net.state.load(tensors, where);
    return 'state_dict';
  }
  const pick = preferred.find((n) => nets.includes(n));
  if (!pick) throw new RunError(`${where}: checkpoint holds ${nets.join(', ')}, none of ${preferred.join(', ')}`);
  net.state.load(tensors, where, `${pick}.`);
  return pick;
}

/** A generator for inference: G_ema if the file is a checkpoint that has it (as gen_images.py), else G. */
export function loadGeneratorForInference(net: HasState, src: WeightSource): NetworkName | 'state_dict' {
  return loadPreferred(net, src, ['G_ema', 'G']);
}
