/**
 * The protobuf messages of a TensorBoard event file, encoded by hand. Field numbers follow
 * tensorboard/compat/proto/{event,summary,tensor,tensor_shape,types}.proto:
 *   Event         { 1 wall_time double, 2 step int64, 3 file_version string, 5 summary Summary }
 *   Summary       { 1 value repeated Value }
 *   Value         { 1 tag, 2 simple_value float, 4 image Image, 8 tensor TensorProto, 9 metadata }
 *   Image         { 1 height int32, 2 width int32, 3 colorspace int32, 4 encoded_image_string bytes }
 *   Metadata      { 1 plugin_data { 1 plugin_name, 2 content bytes }, 4 data_class enum }
 *   TensorProto   { 1 dtype enum, 2 tensor_shape { 2 dim repeated { 1 size int64 } }, 8 string_val }
 */
import { ProtoWriter, encodeMessage } from './protobuf.ts';

export const FILE_VERSION = 'brain.Event:2';

const DT_FLOAT = 1;
const DT_STRING = 7;
const DATA_CLASS_TENSOR = 2;

/** Summary.Image colorspace by channel count: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA. */
export function colorspaceFor(channels: number): number {
  if (channels < 1 || channels > 4 || !Number.isInteger(channels)) {
    throw new Error(`summary.image: channels must be 1..4 (got ${channels})`);
  }
  return channels;
}

/** The first record of every event file. */
export function fileVersionEvent(wallTime: number): Uint8Array {
  return encodeMessage((w) => w.double(1, wallTime).string(3, FILE_VERSION));
}

/** An Event holding one Summary with the given encoded Summary.Value messages. */
export function summaryEvent(wallTime: number, step: number, values: Uint8Array[]): Uint8Array {
  return encodeMessage((w) => {
    w.double(1, wallTime);
    if (step !== 0) w.int64(2, step);
    w.message(5, (s) => { for (const v of values) s.bytes(1, v); });
  });
}

/** TF1 scalar: `simple_value` (float32). The scalars dashboard reads it without plugin metadata. */
export function scalarValue(tag: string, value: number): Uint8Array {
  return encodeMessage((w) => w.string(1, tag).float(2, value));
}

/** TF1 image: Summary.Image with the encoded PNG and its declared size and colorspace. */
export function imageValue(tag: string, encoded: Uint8Array, width: number, height: number, channels: number): Uint8Array {
  const colorspace = colorspaceFor(channels);
  return encodeMessage((w) => w.string(1, tag).message(4, (im) => {
    im.int32(1, height).int32(2, width).int32(3, colorspace).bytes(4, encoded);
  }));
}

function pluginMetadata(w: ProtoWriter, plugin: string, content: Uint8Array, dataClass: number): void {
  w.message(9, (md) => {
    md.message(1, (pd) => { pd.string(1, plugin); if (content.length) pd.bytes(2, content); });
    md.enum(4, dataClass);
  });
}

/**
 * Text: a rank-0 DT_STRING tensor, plugin "text". TensorBoard keeps only the first metadata of a
 * tag, so like TensorFlow we attach it to the first value of each tag only.
 */
export function textValue(tag: string, text: string, withMetadata: boolean): Uint8Array {
  return encodeMessage((w) => {
    w.string(1, tag);
    if (withMetadata) pluginMetadata(w, 'text', new Uint8Array(0), DATA_CLASS_TENSOR);
    w.message(8, (t) => { t.enum(1, DT_STRING).message(2, () => {}).string(8, text); });
  });
}

/**
 * HParams: the payload lives in `metadata.plugin_data.content`; the tensor is the same empty float
 * vector TensorFlow writes as a placeholder.
 */
export function hparamsValue(tag: string, content: Uint8Array): Uint8Array {
  return encodeMessage((w) => {
    w.string(1, tag);
    pluginMetadata(w, 'hparams', content, DATA_CLASS_TENSOR);
    w.message(8, (t) => { t.enum(1, DT_FLOAT).message(2, (s) => s.message(2, (d) => d.int64(1, 0))); });
  });
}
