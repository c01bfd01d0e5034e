/**
 * Homogeneous matrices of the augmentation pipeline, one per sample, in float64 on the CPU
 * (official training/augment.py builds them as float32 torch tensors; the conventions are the
 * same). Row-major: a 3x3 is `[m00, m01, m02, m10, ..., m22]`, a 4x4 likewise.
 *
 * Geometric matrices act on pixel coordinates `(x, y, 1)` with the origin at the image centre and
 * x to the right, y down; the pipeline composes the INVERSE transform (output pixel -> input pixel).
 * Colour matrices act on `(r, g, b, 1)`.
 */

export type Mat3 = Float64Array;   // length 9
export type Mat4 = Float64Array;   // length 16

export function identity3(): Mat3 {
  return Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
}

export function identity4(): Mat4 {
  return Float64Array.of(1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1);
}

/** a @ b for square row-major matrices of size n. */
export function matmul(a: Float64Array, b: Float64Array): Float64Array {
  const n = Math.round(Math.sqrt(a.length));
  if (n * n !== a.length || a.length !== b.length) throw new Error(`matmul: need two square matrices of one size (got ${a.length} and ${b.length} elements)`);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Exactly the identity (no tolerance: used to skip work only when nothing was drawn). */
export function isIdentity(m: Float64Array): boolean {
  const n = Math.round(Math.sqrt(m.length));
  for (let i = 0; i < m.length; i++) if (m[i] !== (i % (n + 1) === 0 ? 1 : 0)) return false;
  return true;
}

// ---- 2-D (3x3) -------------------------------------------------------------

export function translate2d(tx: number, ty: number): Mat3 {
  return Float64Array.of(1, 0, tx, 0, 1, ty, 0, 0, 1);
}

export function scale2d(sx: number, sy: number): Mat3 {
  return Float64Array.of(sx, 0, 0, 0, sy, 0, 0, 0, 1);
}

/** Rotation by theta (radians): `[[cos, -sin], [sin, cos]]`, as the official `rotate2d`. */
export function rotate2d(theta: number): Mat3 {
  return rotate2dCosSin(Math.cos(theta), Math.sin(theta));
}

/** The same from an exact (cos, sin) pair, so that 90-degree turns stay exact integers. */
export function rotate2dCosSin(c: number, s: number): Mat3 {
  return Float64Array.of(c, -s, 0, s, c, 0, 0, 0, 1);
}

export function translate2dInv(tx: number, ty: number): Mat3 {
  return translate2d(-tx, -ty);
}

export function scale2dInv(sx: number, sy: number): Mat3 {
  return scale2d(1 / sx, 1 / sy);
}

export function rotate2dInv(theta: number): Mat3 {
  return rotate2d(-theta);
}

// ---- 3-D colour space (4x4) ------------------------------------------------

export function translate3d(tx: number, ty: number, tz: number): Mat4 {
  return Float64Array.of(1, 0, 0, tx, 0, 1, 0, ty, 0, 0, 1, tz, 0, 0, 0, 1);
}

export function scale3d(sx: number, sy: number, sz: number): Mat4 {
  return Float64Array.of(sx, 0, 0, 0, 0, sy, 0, 0, 0, 0, sz, 0, 0, 0, 0, 1);
}

/** The official luma axis: `[1, 1, 1, 0] / sqrt(3)` (homogeneous, so the offset is untouched). */
export const LUMA_AXIS: readonly number[] = [1, 1, 1, 0].map((x) => x / Math.sqrt(3));

/** Outer product v v^T of a 4-vector. */
export function outer4(v: readonly number[]): Mat4 {
  const out = new Float64Array(16);
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) out[i * 4 + j] = v[i]! * v[j]!;
  return out;
}

/** Rotation by theta about the unit axis v (Rodrigues), as the official `rotate3d`. */
export function rotate3d(v: readonly number[], theta: number): Mat4 {
  const [vx, vy, vz] = v as [number, number, number];
  const s = Math.sin(theta), c = Math.cos(theta), cc = 1 - c;
  return Float64Array.of(
    vx * vx * cc + c, vx * vy * cc - vz * s, vx * vz * cc + vy * s, 0,
    vy * vx * cc + vz * s, vy * vy * cc + c, vy * vz * cc - vx * s, 0,
    vz * vx * cc - vy * s, vz * vy * cc + vx * s, vz * vz * cc + c, 0,
    0, 0, 0, 1,
  );
}

/** Householder reflection I - 2 v v^T (luma flip about the plane orthogonal to v). */
export function householder4(v: readonly number[]): Mat4 {
  const vv = outer4(v);
  return identity4().map((x, i) => x - 2 * vv[i]!);
}

/** Saturation: keeps the component along v, scales the rest by s: v v^T + (I - v v^T) s. */
export function saturate4(v: readonly number[], s: number): Mat4 {
  const vv = outer4(v);
  return identity4().map((x, i) => vv[i]! + (x - vv[i]!) * s);
}
