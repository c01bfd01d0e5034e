/**
 * The fast path of upfirdn2d (same semantics as `upfirdn2dRef`, NHWC). Per axis, with the filter
 * already flipped so that the operation is a correlation with k (length L), input length n, up u,
 * down d, padding p0 on the upsampled signal, the output is
 *     out[m] = sum_a U[m*d + a - p0] * k[a],   U[t] = x[t/u] if u divides t, else 0.
 * Polyphase (u > 1, d = 1): write m = u*v + q. Only taps a ≡ p0 - q (mod u) meet a sample:
 *     out[u*v + q] = sum_j x[v + c + j] * k[r + u*j],  r = (p0 - q) mod u,  c = (r + q - p0) / u,
 * a stride-1 correlation of x with the sub-filter k[r::u] — the u-fold zero insertion is never
 * materialised or multiplied. The u phases are interleaved by stack + reshape.
 * Without upsampling (u = 1) it is one correlation with stride d. Positive padding is passed to
 * the convolution, negative padding is a crop of its input. Separable filters run as an x pass
 * then a y pass, each resampling only its own axis.
 */
import { tf } from '../backend/tf.ts';
import { depthwiseKernels, padOrCrop, resampleIdentity, type FirFilter, type UpFirDnPlan } from './fir.ts';

/** One axis of a resampling pass. */
interface Axis { n: number; up: number; down: number; p0: number; p1: number; taps: number }

function outLength(a: Axis): number {
  return Math.floor((a.n * a.up + a.p0 + a.p1 - a.taps) / a.down) + 1;
}

/** Phase q of an axis: first sub-filter tap r, tap count J, and the input window [start, start+len). */
function phaseOf(a: Axis, q: number, outPerPhase: number) {
  const r = (((a.p0 - q) % a.up) + a.up) % a.up;
  const c = (r + q - a.p0) / a.up;
  const J = r < a.taps ? Math.ceil((a.taps - r) / a.up) : 0;
  const len = (outPerPhase - 1) * a.down + J;
  return { r, J, before: -c, after: len + c - a.n };
}

/**
 * Resamples x [N, H, W, C] with a depthwise kernel [Ly, Lx, C, 1] along both axes (u > 1 only
 * with d = 1 on that axis). Steps: per phase (qy, qx): sub-kernel kernel[ry::uy, rx::ux]; crop the
 * window's negative margins; depthwise conv with the positive margins as explicit padding and
 * stride [dy, dx] -> [N, Vy, Vx, C]; then interleave phases -> [N, Vy*uy, Vx*ux, C]; crop to size.
 */
function resample(x: tf.Tensor4D, kernel: tf.Tensor4D, ay: Axis, ax: Axis): tf.Tensor4D {
  const [N, , , C] = x.shape;
  const My = outLength(ay), Mx = outLength(ax);
  const Vy = Math.ceil(My / ay.up), Vx = Math.ceil(Mx / ax.up);
  const rows: tf.Tensor4D[] = [];
  for (let qy = 0; qy < ay.up; qy++) {
    const py = phaseOf(ay, qy, Vy);
    const cols: tf.Tensor4D[] = [];
    for (let qx = 0; qx < ax.up; qx++) {
      const px = phaseOf(ax, qx, Vx);
      if (py.J === 0 || px.J === 0) { cols.push(tf.zeros([N, Vy, Vx, C])); continue; }
      const k = ay.up === 1 && ax.up === 1 ? kernel
        : tf.stridedSlice(kernel, [py.r, px.r, 0, 0], [ay.taps, ax.taps, C, 1], [ay.up, ax.up, 1, 1]) as tf.Tensor4D;
      const win = padOrCrop(x, Math.min(px.before, 0), Math.min(px.after, 0), Math.min(py.before, 0), Math.min(py.after, 0));
      const pad = [[0, 0], [Math.max(py.before, 0), Math.max(py.after, 0)], [Math.max(px.before, 0), Math.max(px.after, 0)], [0, 0]];
      cols.push(tf.depthwiseConv2d(win, k, [ay.down, ax.down], pad as tf.backend_util.ExplicitPadding));
    }
    rows.push(cols.length === 1 ? cols[0]! : tf.reshape(tf.stack(cols, 3), [N, Vy, Vx * ax.up, C]) as tf.Tensor4D);
  }
  let y = rows.length === 1 ? rows[0]! : tf.reshape(tf.stack(rows, 2), [N, Vy * ay.up, Vx * ax.up, C]) as tf.Tensor4D;
  if (y.shape[1] !== My || y.shape[2] !== Mx) y = tf.slice(y, [0, 0, 0, 0], [N, My, Mx, C]);
  return y;
}

/** The fast upfirdn2d for a checked plan (see file header). */
export function upfirdn2dFast(x: tf.Tensor4D, f: FirFilter, p: UpFirDnPlan): tf.Tensor4D {
  // Identity filter: nothing to filter, so the reference steps are already cheap.
  if (f == null) return resampleIdentity(x, p);
  return tf.tidy(() => {
    // Up and down on one axis in one call: upsample (down 1) here, then keep every down-th sample.
    const dx = p.upx > 1 ? 1 : p.downx, dy = p.upy > 1 ? 1 : p.downy;
    const [, H, W, C] = x.shape;
    const ax: Axis = { n: W, up: p.upx, down: dx, p0: p.px0, p1: p.px1, taps: p.fw };
    const ay: Axis = { n: H, up: p.upy, down: dy, p0: p.py0, p1: p.py1, taps: p.fh };
    const kernels = depthwiseKernels(f, p, C);
    let y: tf.Tensor4D;
    if (p.separable) {
      y = resample(x, kernels[0]!, { n: H, up: 1, down: 1, p0: 0, p1: 0, taps: 1 }, ax);
      y = resample(y, kernels[1]!, ay, { n: y.shape[2], up: 1, down: 1, p0: 0, p1: 0, taps: 1 });
    } else {
      y = resample(x, kernels[0]!, ay, ax);
    }
    if (dx !== p.downx || dy !== p.downy) {
      const [n, h, w, c] = y.shape;
      y = tf.stridedSlice(y, [0, 0, 0, 0], [n, h, w, c], [1, p.downy, p.downx, 1]) as tf.Tensor4D;
    }
    return y;
  });
}
