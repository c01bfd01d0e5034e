/**
 * The tables of the native fused filtered leaky ReLU (native/flrelu.cc): every 1-D resampling pass
 * of the official reference (upfirdn2d with fu: zero insertion, padding, the flipped filter times
 * the per-axis gain `up`; upfirdn2d with fd: the flipped filter, stride `down`) written as a banded
 * matrix, one (first input, count, coefficient offset) triple per output. Pure: no tfjs.
 *
 * Up pass, input length n, padding p0/p1, flipped taps k (length L): the output m sums the taps a
 * whose sample m + a - p0 of the padded, zero-inserted signal is an input sample s = (m + a - p0) / up
 * (a in one residue class mod up, so the inputs s are consecutive). Down pass: output o sums
 * in[o*down + b] * k[b]. A radial (2-D) down filter is one x pass per filter row a, added to output
 * row o from the activation row o*down + a.
 */

export interface FlreluGeometry {
  N: number; H: number; W: number; C: number;
  up: number; down: number;
  padding: [number, number, number, number];  // [x0, x1, y0, y1] on the up-sampled image
  fu: Float32Array | null;                    // 1-D up filter taps (null: identity)
  fd: Float32Array | null;                    // down filter taps: 1-D, or 2-D row-major (null: identity)
  fdShape: [number] | [number, number] | null;
  flipFilter: boolean;
}

export interface FlreluTables {
  itab: Int32Array;   // header [N, H, W, C, Th, Tw, Ho, Wo, radial, dy, rows] + passes, then transposes (sg3native.h)
  ftab: Float32Array; // the coefficients
  outShape: [number, number, number, number];  // NHWC [N, Ho, Wo, C]
  codes: number;      // int32 words of the activation codes [N, ceil(C / 16), Th, Tw] (2 bits per element)
}

/** A pass as its rows: output o = sum_j c[j] * input[s0 + j]. */
interface Pass { nOut: number; nIn: number; rows: [number, number[]][] }

function makePass(nOut: number, nIn: number, entry: (o: number) => [number, number[]]): Pass {
  return { nOut, nIn, rows: Array.from({ length: nOut }, (_, o) => entry(o)) };
}

/**
 * The transposed pass (the gradient runs every pass backwards in gather form): input i's outputs.
 * They are consecutive for these banded matrices; a gap would be filled with zero coefficients.
 */
function transpose(p: Pass): Pass {
  const cols: Map<number, number>[] = Array.from({ length: p.nIn }, () => new Map());
  p.rows.forEach(([s0, c], o) => c.forEach((v, j) => cols[s0 + j]!.set(o, v)));
  return makePass(p.nIn, p.nOut, (i) => {
    const os = [...cols[i]!.keys()];
    if (os.length === 0) return [0, []];
    const lo = Math.min(...os), hi = Math.max(...os);
    return [lo, Array.from({ length: hi - lo + 1 }, (_, k) => cols[i]!.get(lo + k) ?? 0)];
  });
}

/**
 * The passes as the int table's triples and the coefficient pool shared by all passes. Equal
 * coefficient lists share one offset: the native kernel recognises outputs with the same filter
 * (a down-sampling pass, a phase of an up-sampling one) by their offset and batches them.
 */
class Builder {
  readonly ints: number[] = [];
  readonly coefs: number[] = [];
  private readonly offsets = new Map<string, number>();

  add(p: Pass): void {
    this.ints.push(p.nOut, p.nIn);
    for (const [s0, c] of p.rows) {
      const key = Float32Array.from(c).join(',');
      let off = this.offsets.get(key);
      if (off === undefined) {
        off = this.coefs.length;
        this.offsets.set(key, off);
        this.coefs.push(...c);
      }
      this.ints.push(c.length ? s0 : 0, c.length, off);
    }
  }
}

function oriented(taps: Float32Array, flip: boolean): number[] {
  const k = Array.from(taps);
  return flip ? k : k.reverse(); // flipFilter false = true convolution: correlate with the reversed taps
}

/** Up pass of one axis: output m -> consecutive inputs and their taps (times gain). */
function upEntry(n: number, up: number, p0: number, k: number[], gain: number) {
  return (m: number): [number, number[]] => {
    let s0 = -1;
    const c: number[] = [];
    for (let a = 0; a < k.length; a++) {
      const i = m + a - p0;
      if (i % up !== 0 || i < 0 || i / up >= n) continue;
      if (s0 < 0) s0 = i / up;
      c.push(k[a]! * gain);
    }
    return [s0, c];
  };
}

/** 2-D taps (row-major [rows, cols]) reversed along both axes unless flipFilter. */
function oriented2d(taps: Float32Array, rows: number, cols: number, flip: boolean): number[][] {
  const k = Array.from({ length: rows }, (_, r) => Array.from(taps.subarray(r * cols, (r + 1) * cols)));
  return flip ? k : k.reverse().map((row) => row.reverse());
}

/** The tables for one call; throws when the geometry has no output. */
export function planFlreluTables(g: FlreluGeometry): FlreluTables {
  const [px0, px1, py0, py1] = g.padding;
  const ku = g.fu ? oriented(g.fu, g.flipFilter) : [1];
  const radial = g.fdShape?.length === 2;
  const [ldy, ldx] = radial ? g.fdShape as [number, number] : [g.fd?.length ?? 1, g.fd?.length ?? 1];
  const Tw = g.W * g.up + px0 + px1 - (ku.length - 1), Th = g.H * g.up + py0 + py1 - (ku.length - 1);
  const Wo = Math.floor((Tw - ldx) / g.down) + 1, Ho = Math.floor((Th - ldy) / g.down) + 1;
  if (!(Tw >= 1 && Th >= 1 && Wo >= 1 && Ho >= 1)) throw new Error(`filteredLrelu: no output (got up-sampled ${Tw}x${Th}, output ${Wo}x${Ho})`);
  const down = (k: number[]) => (o: number): [number, number[]] => [o * g.down, k];
  const xup = makePass(Tw, g.W, upEntry(g.W, g.up, px0, ku, g.up));
  const yup = makePass(Th, g.H, upEntry(g.H, g.up, py0, ku, g.up));
  const kd = g.fd && !radial ? oriented(g.fd, g.flipFilter) : [1];
  const downs = radial
    ? oriented2d(g.fd!, ldy, ldx, g.flipFilter).map((row) => makePass(Wo, Tw, down(row)))
    : [makePass(Wo, Tw, down(kd)), makePass(Ho, Th, down(kd))];
  // Forward passes, then the transposed ones the gradient gathers with (yup's is not needed).
  const b = new Builder();
  for (const p of [xup, yup, ...downs, transpose(xup), ...downs.map(transpose)]) b.add(p);
  const header = [g.N, g.H, g.W, g.C, Th, Tw, Ho, Wo, radial ? 1 : 0, g.down, radial ? ldy : 0];
  return {
    itab: Int32Array.from([...header, ...b.ints]),
    ftab: Float32Array.from(b.coefs),
    outShape: [g.N, Ho, Wo, g.C],
    codes: g.N * Th * Tw * Math.ceil(g.C / 16),
  };
}
