/**
 * HParamsPluginData (plugin "hparams", version 0), encoded by hand. Field numbers follow
 * tensorboard/plugins/hparams/{plugin_data,api}.proto and google/protobuf/struct.proto:
 *   HParamsPluginData { 1 version, 2 experiment, 3 session_start_info, 4 session_end_info }
 *   Experiment        { 1 description, 2 user, 3 time_created_secs, 4 hparam_infos, 5 metric_infos, 6 name }
 *   HParamInfo        { 1 name, 2 display_name, 3 description, 4 type, 5 domain_discrete, 6 domain_interval }
 *   MetricInfo        { 1 name { 1 group, 2 tag }, 3 display_name, 4 description, 5 dataset_type }
 *   SessionStartInfo  { 1 hparams map<string, Value>, 4 group_name, 5 start_time_secs }
 *   SessionEndInfo    { 1 status, 2 end_time_secs }
 *   Value             { 2 number_value double, 3 string_value, 4 bool_value }
 * TensorBoard looks each payload up by its tag, so the tags are fixed.
 */
import { ProtoWriter, encodeMessage } from './protobuf.ts';

export const HPARAMS_TAGS = {
  experiment: '_hparams_/experiment',
  sessionStart: '_hparams_/session_start_info',
  sessionEnd: '_hparams_/session_end_info',
} as const;

export type HParamValue = string | number | boolean;

export interface MetricSpec {
  tag: string;              // the scalar tag whose last value the dashboard shows
  group?: string;           // sub-run directory holding it ('' = the session's own run)
  display_name?: string;
  description?: string;
}

/** A domain for the dashboard's filters: discrete values, or an interval for numbers. */
export type HParamDomain = HParamValue[] | { min: number; max: number };

export type SessionStatus = 'unknown' | 'success' | 'failure' | 'running';
const STATUS_CODE: Record<SessionStatus, number> = { unknown: 0, success: 1, failure: 2, running: 3 };

// HParamInfo.type: DATA_TYPE_STRING 1, DATA_TYPE_BOOL 2, DATA_TYPE_FLOAT64 3.
function typeCode(value: HParamValue): number {
  return typeof value === 'string' ? 1 : typeof value === 'boolean' ? 2 : 3;
}

function writeValue(w: ProtoWriter, value: HParamValue): void {
  if (typeof value === 'number') w.double(2, value);
  else if (typeof value === 'string') w.string(3, value);
  else w.bool(4, value);
}

function pluginData(field: 2 | 3 | 4, build: (w: ProtoWriter) => void): Uint8Array {
  // version 0 is the proto3 default and therefore not written.
  return encodeMessage((w) => w.message(field, build));
}

export interface ExperimentSpec {
  hparams: Record<string, HParamValue>;
  metrics: Array<string | MetricSpec>;
  domains?: Record<string, HParamDomain>;
  name?: string;
  description?: string;
  timeCreatedSecs: number;
}

export function encodeExperiment(spec: ExperimentSpec): Uint8Array {
  return pluginData(2, (e) => {
    if (spec.description) e.string(1, spec.description);
    e.double(3, spec.timeCreatedSecs);
    for (const [name, value] of Object.entries(spec.hparams)) {
      e.message(4, (h) => {
        h.string(1, name).enum(4, typeCode(value));
        const domain = spec.domains?.[name];
        if (Array.isArray(domain)) h.message(5, (l) => { for (const v of domain) l.message(1, (x) => writeValue(x, v)); });
        else if (domain) h.message(6, (iv) => iv.double(1, domain.min).double(2, domain.max));
      });
    }
    for (const m of spec.metrics) {
      const metric: MetricSpec = typeof m === 'string' ? { tag: m } : m;
      e.message(5, (mi) => {
        mi.message(1, (n) => { if (metric.group) n.string(1, metric.group); n.string(2, metric.tag); });
        if (metric.display_name) mi.string(3, metric.display_name);
        if (metric.description) mi.string(4, metric.description);
      });
    }
    if (spec.name) e.string(6, spec.name);
  });
}

export function encodeSessionStart(hparams: Record<string, HParamValue>, startTimeSecs: number, groupName = ''): Uint8Array {
  return pluginData(3, (s) => {
    // map<string, Value> is a repeated entry message { 1 key, 2 value }; sorted for reproducible bytes.
    for (const name of Object.keys(hparams).sort()) {
      s.message(1, (entry) => entry.string(1, name).message(2, (v) => writeValue(v, hparams[name]!)));
    }
    if (groupName) s.string(4, groupName);
    s.double(5, startTimeSecs);
  });
}

export function encodeSessionEnd(status: SessionStatus, endTimeSecs: number): Uint8Array {
  return pluginData(4, (s) => s.enum(1, STATUS_CODE[status]).double(2, endTimeSecs));
}
