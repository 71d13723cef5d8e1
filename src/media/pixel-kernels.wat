;; Per-pixel loops in WebAssembly (affine warps; compositing's blend, min filter, feather, pixels
;; read and rct), on the module's own memory (the caller copies the images in and the results
;; out: src/media/pixel-kernels.ts).
;; Compiled by src/engine/wasm-simd-build.ts (`make wasm-simd`) into pixel-kernels-binary.ts.
;; Each function is the same formula, in the same order of IEEE float64 operations, as the
;; JavaScript that defines it (warp-affine.ts, test/helpers/blend-face.ts, composite.test.ts's
;; definitions, colour.ts), so the results are the same bytes:
;; JavaScript's Math.round(x) is ceil(x), less one where that is more than half above x; a
;; Float32Array store is f32.demote; a Uint8Array store keeps the low byte (i32.store8).
(module
  (memory (export "memory") 1)

  ;; test/helpers/blend-face.ts's blendFace on a rectangle of the frame: columns rx0 .. rx0 + rw - 1
  ;; of rows y0 .. y1 (pixel-kernels.ts passes whole rows: rx0 0, rw the width), as three arrays of
  ;; rw pixels a row (src and out RGB, replaced one byte); on row y
  ;; the columns ranges[2 (y - y0)] .. ranges[2 (y - y0) + 1] (frame columns, i32) are visited.
  ;; rgb: the recoloured crop (RGB, size x size); alpha: its float32 alpha.
  (func (export "blend")
    (param $src i32) (param $out i32) (param $repl i32) (param $rx0 i32) (param $rw i32)
    (param $rgb i32) (param $alpha i32) (param $size i32)
    (param $a f64) (param $b f64) (param $c f64) (param $d f64) (param $e f64) (param $f f64)
    (param $ranges i32) (param $y0 i32) (param $y1 i32)
    (local $y i32) (local $x i32) (local $xend i32) (local $by f64) (local $ey f64)
    (local $u f64) (local $v f64) (local $last f64) (local $xf f64)
    (local $ix i32) (local $iy i32) (local $dx i32) (local $dy i32)
    (local $fx f64) (local $fy f64) (local $w00 f64) (local $w10 f64) (local $w01 f64) (local $w11 f64)
    (local $i00 i32) (local $k f64) (local $q f64)
    (local $p00 i32) (local $p10 i32) (local $p01 i32) (local $p11 i32)
    (local $o i32) (local $row i32) (local $so i32) (local $oo i32) (local $t f64) (local $r f64)
    (local $px v128) (local $r2 v128) (local $v00 v128) (local $v10 v128) (local $v01 v128) (local $v11 v128) (local $kv v128) (local $qv v128)
    (local $c00rg v128) (local $c00b v128) (local $c10rg v128) (local $c10b v128) (local $c01rg v128) (local $c01b v128)
    (local $c11rg v128) (local $c11b v128) (local $csrg v128) (local $csb v128) (local $resrg v128) (local $resb v128)
    (local.set $last (f64.convert_i32_s (i32.sub (local.get $size) (i32.const 1))))
    (local.set $y (local.get $y0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.gt_s (local.get $y) (local.get $y1)))
        (local.set $row (i32.sub (local.get $y) (local.get $y0)))
        (local.set $by (f64.mul (local.get $b) (f64.convert_i32_s (local.get $y))))
        (local.set $ey (f64.mul (local.get $e) (f64.convert_i32_s (local.get $y))))
        (local.set $x (i32.load (i32.add (local.get $ranges) (i32.shl (local.get $row) (i32.const 3)))))
        (local.set $xend (i32.load (i32.add (local.get $ranges) (i32.add (i32.shl (local.get $row) (i32.const 3)) (i32.const 4)))))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.gt_s (local.get $x) (local.get $xend)))
            (block $next
              (local.set $xf (f64.convert_i32_s (local.get $x)))
              (local.set $u (f64.add (f64.add (f64.mul (local.get $a) (local.get $xf)) (local.get $by)) (local.get $c)))
              (local.set $v (f64.add (f64.add (f64.mul (local.get $d) (local.get $xf)) (local.get $ey)) (local.get $f)))
              ;; u < 0 || v < 0 || u > last || v > last (NaN passes, as in JavaScript)
              (br_if $next (f64.lt (local.get $u) (f64.const 0)))
              (br_if $next (f64.lt (local.get $v) (f64.const 0)))
              (br_if $next (f64.gt (local.get $u) (local.get $last)))
              (br_if $next (f64.gt (local.get $v) (local.get $last)))
              (local.set $fx (f64.floor (local.get $u)))
              (local.set $fy (f64.floor (local.get $v)))
              (local.set $ix (i32.trunc_sat_f64_s (local.get $fx)))
              (local.set $iy (i32.trunc_sat_f64_s (local.get $fy)))
              (local.set $dx (i32.lt_s (i32.add (local.get $ix) (i32.const 1)) (local.get $size)))
              (local.set $dy (select (local.get $size) (i32.const 0) (i32.lt_s (i32.add (local.get $iy) (i32.const 1)) (local.get $size))))
              (local.set $fx (f64.sub (local.get $u) (local.get $fx)))
              (local.set $fy (f64.sub (local.get $v) (local.get $fy)))
              (local.set $w00 (f64.mul (f64.sub (f64.const 1) (local.get $fx)) (f64.sub (f64.const 1) (local.get $fy))))
              (local.set $w10 (f64.mul (local.get $fx) (f64.sub (f64.const 1) (local.get $fy))))
              (local.set $w01 (f64.mul (f64.sub (f64.const 1) (local.get $fx)) (local.get $fy)))
              (local.set $w11 (f64.mul (local.get $fx) (local.get $fy)))
              (local.set $i00 (i32.add (i32.mul (local.get $iy) (local.get $size)) (local.get $ix)))
              (local.set $k
                (f64.add
                  (f64.add
                    (f64.add
                      (f64.mul (local.get $w00) (f64.promote_f32 (f32.load (i32.add (local.get $alpha) (i32.shl (local.get $i00) (i32.const 2))))))
                      (f64.mul (local.get $w10) (f64.promote_f32 (f32.load (i32.add (local.get $alpha) (i32.shl (i32.add (local.get $i00) (local.get $dx)) (i32.const 2)))))))
                    (f64.mul (local.get $w01) (f64.promote_f32 (f32.load (i32.add (local.get $alpha) (i32.shl (i32.add (local.get $i00) (local.get $dy)) (i32.const 2)))))))
                  (f64.mul (local.get $w11) (f64.promote_f32 (f32.load (i32.add (local.get $alpha) (i32.shl (i32.add (i32.add (local.get $i00) (local.get $dy)) (local.get $dx)) (i32.const 2))))))))
              (br_if $next (f64.le (local.get $k) (f64.const 0)))
              (local.set $p00 (i32.add (local.get $rgb) (i32.mul (local.get $i00) (i32.const 3))))
              (local.set $p10 (i32.add (local.get $p00) (i32.mul (local.get $dx) (i32.const 3))))
              (local.set $p01 (i32.add (local.get $p00) (i32.mul (local.get $dy) (i32.const 3))))
              (local.set $p11 (i32.add (local.get $p01) (i32.mul (local.get $dx) (i32.const 3))))
              (local.set $q (f64.sub (f64.const 1) (local.get $k)))
              (local.set $o (i32.add (i32.mul (local.get $row) (local.get $rw)) (i32.sub (local.get $x) (local.get $rx0))))
              (local.set $t (f64.mul (f64.const 255) (local.get $k)))
              (local.set $r (f64.ceil (local.get $t)))
              (i32.store8 (i32.add (local.get $repl) (local.get $o))
                (i32.trunc_sat_f64_s
                  (select (f64.sub (local.get $r) (f64.const 1)) (local.get $r) (f64.gt (f64.sub (local.get $r) (f64.const 0.5)) (local.get $t)))))
              ;; the three channels as two pairs of lanes, (R, G) and (B, -): the same float64 operations
              (local.set $so (i32.add (local.get $src) (i32.mul (local.get $o) (i32.const 3))))
              (local.set $oo (i32.add (local.get $out) (i32.mul (local.get $o) (i32.const 3))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p00)))))
              (local.set $c00rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c00b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p10)))))
              (local.set $c10rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c10b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p01)))))
              (local.set $c01rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c01b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p11)))))
              (local.set $c11rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c11b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $so)))))
              (local.set $csrg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $csb (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $v00 (f64x2.splat (local.get $w00)))
              (local.set $v10 (f64x2.splat (local.get $w10)))
              (local.set $v01 (f64x2.splat (local.get $w01)))
              (local.set $v11 (f64x2.splat (local.get $w11)))
              (local.set $kv (f64x2.splat (local.get $k)))
              (local.set $qv (f64x2.splat (local.get $q)))
              (local.set $resrg (f64x2.add
                    (f64x2.mul (local.get $kv)
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add (f64x2.mul (local.get $v00) (local.get $c00rg)) (f64x2.mul (local.get $v10) (local.get $c10rg)))
                          (f64x2.mul (local.get $v01) (local.get $c01rg)))
                        (f64x2.mul (local.get $v11) (local.get $c11rg))))
                    (f64x2.mul (local.get $qv) (local.get $csrg))))
              (local.set $resb (f64x2.add
                    (f64x2.mul (local.get $kv)
                      (f64x2.add
                        (f64x2.add
                          (f64x2.add (f64x2.mul (local.get $v00) (local.get $c00b)) (f64x2.mul (local.get $v10) (local.get $c10b)))
                          (f64x2.mul (local.get $v01) (local.get $c01b)))
                        (f64x2.mul (local.get $v11) (local.get $c11b))))
                    (f64x2.mul (local.get $qv) (local.get $csb))))
              (local.set $r2 (f64x2.ceil (local.get $resrg)))
              (local.set $resrg
                (i32x4.trunc_sat_f64x2_s_zero
                  (v128.bitselect
                    (f64x2.sub (local.get $r2) (f64x2.splat (f64.const 1)))
                    (local.get $r2)
                    (f64x2.gt (f64x2.sub (local.get $r2) (f64x2.splat (f64.const 0.5))) (local.get $resrg)))))
              (local.set $r2 (f64x2.ceil (local.get $resb)))
              (local.set $resb
                (i32x4.trunc_sat_f64x2_s_zero
                  (v128.bitselect
                    (f64x2.sub (local.get $r2) (f64x2.splat (f64.const 1)))
                    (local.get $r2)
                    (f64x2.gt (f64x2.sub (local.get $r2) (f64x2.splat (f64.const 0.5))) (local.get $resb)))))
              (i32.store8 (local.get $oo) (i32x4.extract_lane 0 (local.get $resrg)))
              (i32.store8 offset=1 (local.get $oo) (i32x4.extract_lane 1 (local.get $resrg)))
              (i32.store8 offset=2 (local.get $oo) (i32x4.extract_lane 0 (local.get $resb))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))
  ;; colour.ts's sRGB <-> Lab. Tables the caller writes once (colour.ts): LINEAR, the linear
  ;; value of each byte (256 f64) at 0; THRESHOLD, the least linear value of each byte (257 f64)
  ;; at 2048; START, the byte at each of GRID + 1 steps of 0..1 (u8) at 4112; the constants (20
  ;; f64) at 8216: linear RGB -> XYZ by rows (9), the white's X and Z (2), XYZ -> linear RGB by
  ;; rows (9). $t1 = 216 / 24389, $kk = 24389 / 27 (as JavaScript computes them).

  ;; Math.cbrt for a positive normal x: V8's (FreeBSD msun's s_cbrt.c), operation for operation
  (func $cbrt (export "cbrt") (param $x f64) (result f64)
    (local $t f64) (local $r f64) (local $s f64) (local $w f64)
    (local.set $t
      (f64.reinterpret_i64
        (i64.shl
          (i64.extend_i32_u
            (i32.add
              (i32.div_u (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 32))) (i32.const 3))
              (i32.const 715094163)))
          (i64.const 32))))
    (local.set $r (f64.mul (f64.mul (local.get $t) (local.get $t)) (f64.div (local.get $t) (local.get $x))))
    (local.set $t
      (f64.mul (local.get $t)
        (f64.add
          (f64.add (f64.const 1.87595182427177009643)
            (f64.mul (local.get $r) (f64.add (f64.const -1.88497979543377169875) (f64.mul (local.get $r) (f64.const 1.621429720105354466140)))))
          (f64.mul (f64.mul (f64.mul (local.get $r) (local.get $r)) (local.get $r))
            (f64.add (f64.const -0.758397934778766047437) (f64.mul (local.get $r) (f64.const 0.145996192886612446982)))))))
    (local.set $t
      (f64.reinterpret_i64
        (i64.and (i64.add (i64.reinterpret_f64 (local.get $t)) (i64.const 0x80000000)) (i64.const 0xffffffffc0000000))))
    (local.set $s (f64.mul (local.get $t) (local.get $t)))
    (local.set $r (f64.div (local.get $x) (local.get $s)))
    (local.set $w (f64.add (local.get $t) (local.get $t)))
    (local.set $r (f64.div (f64.sub (local.get $r) (local.get $t)) (f64.add (local.get $w) (local.get $r))))
    (f64.add (local.get $t) (f64.mul (local.get $t) (local.get $r))))

  ;; colour.ts's f
  (func $f (param $t f64) (param $t1 f64) (param $kk f64) (result f64)
    (if (result f64) (f64.gt (local.get $t) (local.get $t1))
      (then (call $cbrt (local.get $t)))
      (else (f64.div (f64.add (f64.mul (local.get $kk) (local.get $t)) (f64.const 16)) (f64.const 116)))))

  ;; colour.ts's finv
  (func $finv (param $t f64) (param $t1 f64) (param $kk f64) (result f64)
    (local $t3 f64)
    (local.set $t3 (f64.mul (f64.mul (local.get $t) (local.get $t)) (local.get $t)))
    (if (result f64) (f64.gt (local.get $t3) (local.get $t1))
      (then (local.get $t3))
      (else (f64.div (f64.sub (f64.mul (f64.const 116) (local.get $t)) (f64.const 16)) (local.get $kk)))))

  ;; colour.ts's toByte (a c of 1 or more is 255: THRESHOLD[255] <= 1, which colour.ts checks)
  (func $to_byte (param $c f64) (result i32)
    (local $k i32)
    (if (i32.eqz (f64.gt (local.get $c) (f64.const 0))) (then (return (i32.const 0))))
    (if (f64.ge (local.get $c) (f64.const 1)) (then (return (i32.const 255))))
    (local.set $k (i32.load8_u offset=4112 (i32.trunc_f64_s (f64.mul (local.get $c) (f64.const 4096)))))
    (block $done
      (loop $up
        (br_if $done (i32.eqz (f64.ge (local.get $c) (f64.load offset=2056 (i32.shl (local.get $k) (i32.const 3))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $up)))
    (local.get $k))

  ;; rgbToLabAll from pixel i on, one pixel at a time: the Lab (3 float32) of each RGB pixel of
  ;; rgb (n pixels) whose byte in which is not 0 (every pixel when which is -1), into lab
  (func $rgb_to_lab_from (param $rgb i32) (param $n i32) (param $lab i32) (param $which i32) (param $t1 f64) (param $kk f64) (param $i i32)
    (local $p i32) (local $o i32)
    (local $r f64) (local $g f64) (local $b f64) (local $fx f64) (local $fy f64) (local $fz f64)
    (local $m0 f64) (local $m1 f64) (local $m2 f64) (local $m3 f64) (local $m4 f64) (local $m5 f64) (local $m6 f64) (local $m7 f64) (local $m8 f64) (local $wx f64) (local $wz f64)
    (local.set $m0 (f64.load (i32.const 8216)))
    (local.set $m1 (f64.load (i32.const 8224)))
    (local.set $m2 (f64.load (i32.const 8232)))
    (local.set $m3 (f64.load (i32.const 8240)))
    (local.set $m4 (f64.load (i32.const 8248)))
    (local.set $m5 (f64.load (i32.const 8256)))
    (local.set $m6 (f64.load (i32.const 8264)))
    (local.set $m7 (f64.load (i32.const 8272)))
    (local.set $m8 (f64.load (i32.const 8280)))
    (local.set $wx (f64.load (i32.const 8288)))
    (local.set $wz (f64.load (i32.const 8296)))
    (block $done
      (loop $pixels
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $next
          (br_if $next (if (result i32) (i32.ge_s (local.get $which) (i32.const 0)) (then (i32.eqz (i32.load8_u (i32.add (local.get $which) (local.get $i))))) (else (i32.const 0))))
          (local.set $p (i32.add (local.get $rgb) (i32.mul (local.get $i) (i32.const 3))))
          (local.set $r (f64.load (i32.shl (i32.load8_u (local.get $p)) (i32.const 3))))
          (local.set $g (f64.load (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 3))))
          (local.set $b (f64.load (i32.shl (i32.load8_u offset=2 (local.get $p)) (i32.const 3))))
          (local.set $fx (call $f
            (f64.div (f64.add (f64.add (f64.mul (local.get $m0) (local.get $r)) (f64.mul (local.get $m1) (local.get $g))) (f64.mul (local.get $m2) (local.get $b))) (local.get $wx))
            (local.get $t1) (local.get $kk)))
          (local.set $fy (call $f
            (f64.add (f64.add (f64.mul (local.get $m3) (local.get $r)) (f64.mul (local.get $m4) (local.get $g))) (f64.mul (local.get $m5) (local.get $b)))
            (local.get $t1) (local.get $kk)))
          (local.set $fz (call $f
            (f64.div (f64.add (f64.add (f64.mul (local.get $m6) (local.get $r)) (f64.mul (local.get $m7) (local.get $g))) (f64.mul (local.get $m8) (local.get $b))) (local.get $wz))
            (local.get $t1) (local.get $kk)))
          (local.set $o (i32.add (local.get $lab) (i32.mul (local.get $i) (i32.const 12))))
          (f32.store (local.get $o) (f32.demote_f64 (f64.sub (f64.mul (f64.const 116) (local.get $fy)) (f64.const 16))))
          (f32.store offset=4 (local.get $o) (f32.demote_f64 (f64.mul (f64.const 500) (f64.sub (local.get $fx) (local.get $fy)))))
          (f32.store offset=8 (local.get $o) (f32.demote_f64 (f64.mul (f64.const 200) (f64.sub (local.get $fy) (local.get $fz))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixels))))

  ;; rct's statistics: over the pixels whose byte in which is not 0 (all when which is -1), in
  ;; pixel order, each channel's sum and sum of squares, and the count, as 7 f64 at out
  (func (export "lab_stats") (param $lab i32) (param $n i32) (param $which i32) (param $out i32)
    (local $i i32) (local $o i32) (local $k f64) (local $v f64)
    (local $m0 f64) (local $m1 f64) (local $m2 f64) (local $q0 f64) (local $q1 f64) (local $q2 f64)
    (block $done
      (loop $pixels
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $next
          (br_if $next (if (result i32) (i32.ge_s (local.get $which) (i32.const 0)) (then (i32.eqz (i32.load8_u (i32.add (local.get $which) (local.get $i))))) (else (i32.const 0))))
          (local.set $k (f64.add (local.get $k) (f64.const 1)))
          (local.set $o (i32.add (local.get $lab) (i32.mul (local.get $i) (i32.const 12))))
          (local.set $v (f64.promote_f32 (f32.load (local.get $o))))
          (local.set $m0 (f64.add (local.get $m0) (local.get $v)))
          (local.set $q0 (f64.add (local.get $q0) (f64.mul (local.get $v) (local.get $v))))
          (local.set $v (f64.promote_f32 (f32.load offset=4 (local.get $o))))
          (local.set $m1 (f64.add (local.get $m1) (local.get $v)))
          (local.set $q1 (f64.add (local.get $q1) (f64.mul (local.get $v) (local.get $v))))
          (local.set $v (f64.promote_f32 (f32.load offset=8 (local.get $o))))
          (local.set $m2 (f64.add (local.get $m2) (local.get $v)))
          (local.set $q2 (f64.add (local.get $q2) (f64.mul (local.get $v) (local.get $v)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixels)))
    (f64.store (local.get $out) (local.get $m0))
    (f64.store offset=8 (local.get $out) (local.get $m1))
    (f64.store offset=16 (local.get $out) (local.get $m2))
    (f64.store offset=24 (local.get $out) (local.get $q0))
    (f64.store offset=32 (local.get $out) (local.get $q1))
    (f64.store offset=40 (local.get $out) (local.get $q2))
    (f64.store offset=48 (local.get $out) (local.get $k)))

  ;; rct's way back from pixel i on, one pixel at a time: each pixel whose byte in which is not 0
  ;; (all when which is -1), its Lab times (s0, s1, s2) plus (u0, u1, u2), to RGB bytes in rgb
  ;; (labToRgbInto)
  (func $lab_to_rgb_from (param $lab i32) (param $n i32) (param $rgb i32) (param $which i32)
    (param $s0 f64) (param $s1 f64) (param $s2 f64) (param $u0 f64) (param $u1 f64) (param $u2 f64) (param $t1 f64) (param $kk f64) (param $i i32)
    (local $o i32) (local $p i32)
    (local $l f64) (local $a f64) (local $bb f64) (local $fy f64) (local $x f64) (local $y f64) (local $z f64)
    (local $wx f64) (local $wz f64) (local $r0 f64) (local $r1 f64) (local $r2 f64) (local $r3 f64) (local $r4 f64) (local $r5 f64) (local $r6 f64) (local $r7 f64) (local $r8 f64)
    (local.set $wx (f64.load (i32.const 8288)))
    (local.set $wz (f64.load (i32.const 8296)))
    (local.set $r0 (f64.load (i32.const 8304)))
    (local.set $r1 (f64.load (i32.const 8312)))
    (local.set $r2 (f64.load (i32.const 8320)))
    (local.set $r3 (f64.load (i32.const 8328)))
    (local.set $r4 (f64.load (i32.const 8336)))
    (local.set $r5 (f64.load (i32.const 8344)))
    (local.set $r6 (f64.load (i32.const 8352)))
    (local.set $r7 (f64.load (i32.const 8360)))
    (local.set $r8 (f64.load (i32.const 8368)))
    (block $done
      (loop $pixels
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (block $next
          (br_if $next (if (result i32) (i32.ge_s (local.get $which) (i32.const 0)) (then (i32.eqz (i32.load8_u (i32.add (local.get $which) (local.get $i))))) (else (i32.const 0))))
          (local.set $o (i32.add (local.get $lab) (i32.mul (local.get $i) (i32.const 12))))
          (local.set $l (f64.add (f64.mul (f64.promote_f32 (f32.load (local.get $o))) (local.get $s0)) (local.get $u0)))
          (local.set $a (f64.add (f64.mul (f64.promote_f32 (f32.load offset=4 (local.get $o))) (local.get $s1)) (local.get $u1)))
          (local.set $bb (f64.add (f64.mul (f64.promote_f32 (f32.load offset=8 (local.get $o))) (local.get $s2)) (local.get $u2)))
          (local.set $fy (f64.div (f64.add (local.get $l) (f64.const 16)) (f64.const 116)))
          (local.set $x (f64.mul (call $finv (f64.add (local.get $fy) (f64.div (local.get $a) (f64.const 500))) (local.get $t1) (local.get $kk)) (local.get $wx)))
          (local.set $y (call $finv (local.get $fy) (local.get $t1) (local.get $kk)))
          (local.set $z (f64.mul (call $finv (f64.sub (local.get $fy) (f64.div (local.get $bb) (f64.const 200))) (local.get $t1) (local.get $kk)) (local.get $wz)))
          (local.set $p (i32.add (local.get $rgb) (i32.mul (local.get $i) (i32.const 3))))
          (i32.store8 (local.get $p) (call $to_byte
            (f64.add (f64.add (f64.mul (local.get $r0) (local.get $x)) (f64.mul (local.get $r1) (local.get $y))) (f64.mul (local.get $r2) (local.get $z)))))
          (i32.store8 offset=1 (local.get $p) (call $to_byte
            (f64.add (f64.add (f64.mul (local.get $r3) (local.get $x)) (f64.mul (local.get $r4) (local.get $y))) (f64.mul (local.get $r5) (local.get $z)))))
          (i32.store8 offset=2 (local.get $p) (call $to_byte
            (f64.add (f64.add (f64.mul (local.get $r6) (local.get $x)) (f64.mul (local.get $r7) (local.get $y))) (f64.mul (local.get $r8) (local.get $z))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $pixels))))

  ;; composite.ts's erode: the min over a (2r + 1)-square window of a w x h byte mask (outside
  ;; the image counts as 0) into out, through tmp (the rows' mins), 16 pixels at a time
  (func (export "erode") (param $src i32) (param $w i32) (param $h i32) (param $r i32) (param $tmp i32) (param $out i32)
    (local $y i32) (local $x i32) (local $d i32) (local $row i32) (local $end i32) (local $v v128) (local $m i32) (local $p i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $w) (local.get $h)))
    (if (i32.or (i32.le_s (local.get $w) (i32.shl (local.get $r) (i32.const 1))) (i32.le_s (local.get $h) (i32.shl (local.get $r) (i32.const 1))))
      (then (return)))
    (memory.fill (local.get $tmp) (i32.const 0) (i32.mul (local.get $w) (local.get $h)))
    ;; rows: tmp[x] = the min of src[x - r .. x + r], for x in r .. w - r - 1
    (local.set $end (i32.sub (local.get $w) (local.get $r)))
    (local.set $y (i32.const 0))
    (loop $rows
      (local.set $row (i32.mul (local.get $y) (local.get $w)))
      (local.set $x (local.get $r))
      (block $simd_done
        (loop $simd
          (br_if $simd_done (i32.gt_s (i32.add (local.get $x) (i32.const 16)) (local.get $end)))
          (local.set $p (i32.add (local.get $src) (i32.sub (i32.add (local.get $row) (local.get $x)) (local.get $r))))
          (local.set $v (v128.load (local.get $p)))
          (local.set $d (i32.const 1))
          (block $win_done
            (loop $win
              (br_if $win_done (i32.gt_s (local.get $d) (i32.shl (local.get $r) (i32.const 1))))
              (local.set $v (i8x16.min_u (local.get $v) (v128.load (i32.add (local.get $p) (local.get $d)))))
              (local.set $d (i32.add (local.get $d) (i32.const 1)))
              (br $win)))
          (v128.store (i32.add (local.get $tmp) (i32.add (local.get $row) (local.get $x))) (local.get $v))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $simd)))
      (block $tail_done
        (loop $tail
          (br_if $tail_done (i32.ge_s (local.get $x) (local.get $end)))
          (local.set $p (i32.add (local.get $src) (i32.sub (i32.add (local.get $row) (local.get $x)) (local.get $r))))
          (local.set $m (i32.load8_u (local.get $p)))
          (local.set $d (i32.const 1))
          (block $win_done
            (loop $win
              (br_if $win_done (i32.gt_s (local.get $d) (i32.shl (local.get $r) (i32.const 1))))
              (local.set $m (select (i32.load8_u (i32.add (local.get $p) (local.get $d))) (local.get $m)
                (i32.lt_u (i32.load8_u (i32.add (local.get $p) (local.get $d))) (local.get $m))))
              (local.set $d (i32.add (local.get $d) (i32.const 1)))
              (br $win)))
          (i32.store8 (i32.add (local.get $tmp) (i32.add (local.get $row) (local.get $x))) (local.get $m))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $tail)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $y) (local.get $h))))
    ;; columns: out row y = the min of tmp rows y - r .. y + r, for y in r .. h - r - 1
    (local.set $y (local.get $r))
    (loop $cols
      (local.set $row (i32.mul (local.get $y) (local.get $w)))
      (local.set $x (i32.const 0))
      (block $simd_done
        (loop $simd
          (br_if $simd_done (i32.gt_s (i32.add (local.get $x) (i32.const 16)) (local.get $w)))
          (local.set $p (i32.add (local.get $tmp) (i32.add (i32.mul (i32.sub (local.get $y) (local.get $r)) (local.get $w)) (local.get $x))))
          (local.set $v (v128.load (local.get $p)))
          (local.set $d (i32.const 1))
          (block $win_done
            (loop $win
              (br_if $win_done (i32.gt_s (local.get $d) (i32.shl (local.get $r) (i32.const 1))))
              (local.set $v (i8x16.min_u (local.get $v) (v128.load (i32.add (local.get $p) (i32.mul (local.get $d) (local.get $w))))))
              (local.set $d (i32.add (local.get $d) (i32.const 1)))
              (br $win)))
          (v128.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $x))) (local.get $v))
          (local.set $x (i32.add (local.get $x) (i32.const 16)))
          (br $simd)))
      (block $tail_done
        (loop $tail
          (br_if $tail_done (i32.ge_s (local.get $x) (local.get $w)))
          (local.set $p (i32.add (local.get $tmp) (i32.add (i32.mul (i32.sub (local.get $y) (local.get $r)) (local.get $w)) (local.get $x))))
          (local.set $m (i32.load8_u (local.get $p)))
          (local.set $d (i32.const 1))
          (block $win_done
            (loop $win
              (br_if $win_done (i32.gt_s (local.get $d) (i32.shl (local.get $r) (i32.const 1))))
              (local.set $m (select (i32.load8_u (i32.add (local.get $p) (i32.mul (local.get $d) (local.get $w)))) (local.get $m)
                (i32.lt_u (i32.load8_u (i32.add (local.get $p) (i32.mul (local.get $d) (local.get $w)))) (local.get $m))))
              (local.set $d (i32.add (local.get $d) (i32.const 1)))
              (br $win)))
          (i32.store8 (i32.add (local.get $out) (i32.add (local.get $row) (local.get $x))) (local.get $m))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br $tail)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br_if $cols (i32.lt_s (local.get $y) (i32.sub (local.get $h) (local.get $r))))))

  ;; composite.ts's feather: a = mask / 255 (float32), then twice a box blur of radius r along
  ;; the rows (a -> tmp) and the columns (tmp -> a), edges repeated, each line a float64 running
  ;; sum stored as float32, in feather's order; the columns two at a time (sums: w float64)
  (func (export "feather") (param $mask i32) (param $w i32) (param $h i32) (param $r i32) (param $a i32) (param $tmp i32) (param $sums i32)
    (local $i i32) (local $n f64) (local $pass i32)
    (local $y i32) (local $x i32) (local $d i32) (local $row i32) (local $last i32) (local $s f64) (local $j i32)
    (local $addRow i32) (local $dropRow i32) (local $sv v128) (local $p i32) (local $w2 i32)
    (block $done
      (loop $scale
        (br_if $done (i32.ge_u (local.get $i) (i32.mul (local.get $w) (local.get $h))))
        (f32.store (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))
          (f32.demote_f64 (f64.div (f64.convert_i32_u (i32.load8_u (i32.add (local.get $mask) (local.get $i)))) (f64.const 255))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $scale)))
    (if (i32.le_s (local.get $r) (i32.const 0)) (then (return)))
    (local.set $n (f64.convert_i32_s (i32.add (i32.shl (local.get $r) (i32.const 1)) (i32.const 1))))
    (local.set $w2 (i32.and (local.get $w) (i32.const -2)))
    (loop $passes
      ;; rows: a -> tmp
      (local.set $last (i32.sub (local.get $w) (i32.const 1)))
      (local.set $y (i32.const 0))
      (loop $rows
        (local.set $row (i32.shl (i32.mul (local.get $y) (local.get $w)) (i32.const 2)))
        (local.set $s (f64.const 0))
        (local.set $d (i32.sub (i32.const 0) (local.get $r)))
        (loop $init
          (local.set $j (select (i32.const 0) (select (local.get $last) (local.get $d) (i32.gt_s (local.get $d) (local.get $last))) (i32.lt_s (local.get $d) (i32.const 0))))
          (local.set $s (f64.add (local.get $s) (f64.promote_f32 (f32.load (i32.add (i32.add (local.get $a) (local.get $row)) (i32.shl (local.get $j) (i32.const 2)))))))
          (local.set $d (i32.add (local.get $d) (i32.const 1)))
          (br_if $init (i32.le_s (local.get $d) (local.get $r))))
        (local.set $x (i32.const 0))
        (loop $line
          (f32.store (i32.add (i32.add (local.get $tmp) (local.get $row)) (i32.shl (local.get $x) (i32.const 2)))
            (f32.demote_f64 (f64.div (local.get $s) (local.get $n))))
          ;; s += src[clamp(x + r + 1)] - src[clamp(x - r)]
          (local.set $j (i32.add (i32.add (local.get $x) (local.get $r)) (i32.const 1)))
          (local.set $j (select (local.get $last) (local.get $j) (i32.gt_s (local.get $j) (local.get $last))))
          (local.set $d (i32.sub (local.get $x) (local.get $r)))
          (local.set $d (select (i32.const 0) (local.get $d) (i32.lt_s (local.get $d) (i32.const 0))))
          (local.set $s (f64.add (local.get $s)
            (f64.sub
              (f64.promote_f32 (f32.load (i32.add (i32.add (local.get $a) (local.get $row)) (i32.shl (local.get $j) (i32.const 2)))))
              (f64.promote_f32 (f32.load (i32.add (i32.add (local.get $a) (local.get $row)) (i32.shl (local.get $d) (i32.const 2))))))))
          (local.set $x (i32.add (local.get $x) (i32.const 1)))
          (br_if $line (i32.lt_s (local.get $x) (local.get $w))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $rows (i32.lt_s (local.get $y) (local.get $h))))
      ;; columns: tmp -> a, each column's running sum in sums[x], a row at a time
      (local.set $last (i32.sub (local.get $h) (i32.const 1)))
      (memory.fill (local.get $sums) (i32.const 0) (i32.shl (local.get $w) (i32.const 3)))
      (local.set $d (i32.sub (i32.const 0) (local.get $r)))
      (loop $init
        (local.set $row (i32.mul (select (i32.const 0) (select (local.get $last) (local.get $d) (i32.gt_s (local.get $d) (local.get $last))) (i32.lt_s (local.get $d) (i32.const 0))) (local.get $w)))
        (local.set $x (i32.const 0))
        (block $x_done
          (loop $xs
            (br_if $x_done (i32.ge_s (local.get $x) (local.get $w2)))
            (local.set $p (i32.add (local.get $sums) (i32.shl (local.get $x) (i32.const 3))))
            (v128.store (local.get $p)
              (f64x2.add (v128.load (local.get $p))
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $tmp) (i32.shl (i32.add (local.get $row) (local.get $x)) (i32.const 2)))))))
            (local.set $x (i32.add (local.get $x) (i32.const 2)))
            (br $xs)))
        (if (i32.lt_s (local.get $x) (local.get $w))
          (then
            (local.set $p (i32.add (local.get $sums) (i32.shl (local.get $x) (i32.const 3))))
            (f64.store (local.get $p) (f64.add (f64.load (local.get $p))
              (f64.promote_f32 (f32.load (i32.add (local.get $tmp) (i32.shl (i32.add (local.get $row) (local.get $x)) (i32.const 2)))))))))
        (local.set $d (i32.add (local.get $d) (i32.const 1)))
        (br_if $init (i32.le_s (local.get $d) (local.get $r))))
      (local.set $y (i32.const 0))
      (loop $cols
        (local.set $row (i32.mul (local.get $y) (local.get $w)))
        (local.set $j (i32.add (i32.add (local.get $y) (local.get $r)) (i32.const 1)))
        (local.set $addRow (i32.mul (select (local.get $last) (local.get $j) (i32.gt_s (local.get $j) (local.get $last))) (local.get $w)))
        (local.set $j (i32.sub (local.get $y) (local.get $r)))
        (local.set $dropRow (i32.mul (select (i32.const 0) (local.get $j) (i32.lt_s (local.get $j) (i32.const 0))) (local.get $w)))
        (local.set $x (i32.const 0))
        (block $x_done
          (loop $xs
            (br_if $x_done (i32.ge_s (local.get $x) (local.get $w2)))
            (local.set $p (i32.add (local.get $sums) (i32.shl (local.get $x) (i32.const 3))))
            (local.set $sv (v128.load (local.get $p)))
            (v128.store64_lane 0 (i32.add (local.get $a) (i32.shl (i32.add (local.get $row) (local.get $x)) (i32.const 2)))
              (f32x4.demote_f64x2_zero (f64x2.div (local.get $sv) (f64x2.splat (local.get $n)))))
            (v128.store (local.get $p)
              (f64x2.add (local.get $sv)
                (f64x2.sub
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $tmp) (i32.shl (i32.add (local.get $addRow) (local.get $x)) (i32.const 2)))))
                  (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $tmp) (i32.shl (i32.add (local.get $dropRow) (local.get $x)) (i32.const 2))))))))
            (local.set $x (i32.add (local.get $x) (i32.const 2)))
            (br $xs)))
        (if (i32.lt_s (local.get $x) (local.get $w))
          (then
            (local.set $p (i32.add (local.get $sums) (i32.shl (local.get $x) (i32.const 3))))
            (local.set $s (f64.load (local.get $p)))
            (f32.store (i32.add (local.get $a) (i32.shl (i32.add (local.get $row) (local.get $x)) (i32.const 2)))
              (f32.demote_f64 (f64.div (local.get $s) (local.get $n))))
            (f64.store (local.get $p) (f64.add (local.get $s)
              (f64.sub
                (f64.promote_f32 (f32.load (i32.add (local.get $tmp) (i32.shl (i32.add (local.get $addRow) (local.get $x)) (i32.const 2)))))
                (f64.promote_f32 (f32.load (i32.add (local.get $tmp) (i32.shl (i32.add (local.get $dropRow) (local.get $x)) (i32.const 2))))))))))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $y) (local.get $h))))
      (local.set $pass (i32.add (local.get $pass) (i32.const 1)))
      (br_if $passes (i32.lt_s (local.get $pass) (i32.const 2)))))

  ;; $cbrt on two lanes at once, lane for lane the same operations (hx / 3 as hx * 0xaaaaaaab >> 33,
  ;; which is the same integer for every 32-bit hx)
  (func $cbrt2 (param $x v128) (result v128)
    (local $t v128) (local $r v128) (local $s v128) (local $w v128)
    (local.set $t
      (i64x2.shl
        (i64x2.add
          (i64x2.shr_u (i64x2.mul (i64x2.shr_u (local.get $x) (i32.const 32)) (i64x2.splat (i64.const 0xaaaaaaab))) (i32.const 33))
          (i64x2.splat (i64.const 715094163)))
        (i32.const 32)))
    (local.set $r (f64x2.mul (f64x2.mul (local.get $t) (local.get $t)) (f64x2.div (local.get $t) (local.get $x))))
    (local.set $t
      (f64x2.mul (local.get $t)
        (f64x2.add
          (f64x2.add (f64x2.splat (f64.const 1.87595182427177009643))
            (f64x2.mul (local.get $r) (f64x2.add (f64x2.splat (f64.const -1.88497979543377169875)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 1.621429720105354466140))))))
          (f64x2.mul (f64x2.mul (f64x2.mul (local.get $r) (local.get $r)) (local.get $r))
            (f64x2.add (f64x2.splat (f64.const -0.758397934778766047437)) (f64x2.mul (local.get $r) (f64x2.splat (f64.const 0.145996192886612446982))))))))
    (local.set $t (v128.and (i64x2.add (local.get $t) (i64x2.splat (i64.const 0x80000000))) (i64x2.splat (i64.const 0xffffffffc0000000))))
    (local.set $s (f64x2.mul (local.get $t) (local.get $t)))
    (local.set $r (f64x2.div (local.get $x) (local.get $s)))
    (local.set $w (f64x2.add (local.get $t) (local.get $t)))
    (local.set $r (f64x2.div (f64x2.sub (local.get $r) (local.get $t)) (f64x2.add (local.get $w) (local.get $r))))
    (f64x2.add (local.get $t) (f64x2.mul (local.get $t) (local.get $r))))

  ;; $cbrt2 of (x0, x1), stored as two f64 at out (for the test that compares it with Math.cbrt)
  (func (export "cbrt_pair") (param $x0 f64) (param $x1 f64) (param $out i32)
    (v128.store (local.get $out) (call $cbrt2 (f64x2.replace_lane 1 (f64x2.splat (local.get $x0)) (local.get $x1)))))

  ;; $f on two lanes (both branches computed, one kept per lane)
  (func $f2 (param $t v128) (param $t1 f64) (param $kk f64) (result v128)
    (v128.bitselect
      (call $cbrt2 (local.get $t))
      (f64x2.div (f64x2.add (f64x2.mul (f64x2.splat (local.get $kk)) (local.get $t)) (f64x2.splat (f64.const 16))) (f64x2.splat (f64.const 116)))
      (f64x2.gt (local.get $t) (f64x2.splat (local.get $t1)))))

  ;; rgbToLabAll two pixels at a time (pixels i and i + 1, each stored only where which marks it)
  (func (export "rgb_to_lab") (param $rgb i32) (param $n i32) (param $lab i32) (param $which i32) (param $t1 f64) (param $kk f64)
    (local $i i32) (local $p i32) (local $o i32) (local $keep0 i32) (local $keep1 i32)
    (local $r v128) (local $g v128) (local $b v128) (local $fx v128) (local $fy v128) (local $fz v128)
    (local $vl v128) (local $va v128) (local $vb v128)
    (local $m0 v128) (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $m4 v128) (local $m5 v128) (local $m6 v128) (local $m7 v128) (local $m8 v128) (local $wx v128) (local $wz v128)
    (local.set $m0 (v128.load64_splat (i32.const 8216)))
    (local.set $m1 (v128.load64_splat (i32.const 8224)))
    (local.set $m2 (v128.load64_splat (i32.const 8232)))
    (local.set $m3 (v128.load64_splat (i32.const 8240)))
    (local.set $m4 (v128.load64_splat (i32.const 8248)))
    (local.set $m5 (v128.load64_splat (i32.const 8256)))
    (local.set $m6 (v128.load64_splat (i32.const 8264)))
    (local.set $m7 (v128.load64_splat (i32.const 8272)))
    (local.set $m8 (v128.load64_splat (i32.const 8280)))
    (local.set $wx (v128.load64_splat (i32.const 8288)))
    (local.set $wz (v128.load64_splat (i32.const 8296)))
    (block $done
      (loop $pixels
        (br_if $done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (block $next
          (local.set $keep0 (i32.const 1))
          (local.set $keep1 (i32.const 1))
          (if (i32.ge_s (local.get $which) (i32.const 0))
            (then
              (local.set $keep0 (i32.load8_u (i32.add (local.get $which) (local.get $i))))
              (local.set $keep1 (i32.load8_u offset=1 (i32.add (local.get $which) (local.get $i))))))
          (br_if $next (i32.eqz (i32.or (local.get $keep0) (local.get $keep1))))
          (local.set $p (i32.add (local.get $rgb) (i32.mul (local.get $i) (i32.const 3))))
          (local.set $r (f64x2.replace_lane 1 (v128.load64_zero (i32.shl (i32.load8_u (local.get $p)) (i32.const 3))) (f64.load (i32.shl (i32.load8_u offset=3 (local.get $p)) (i32.const 3)))))
          (local.set $g (f64x2.replace_lane 1 (v128.load64_zero (i32.shl (i32.load8_u offset=1 (local.get $p)) (i32.const 3))) (f64.load (i32.shl (i32.load8_u offset=4 (local.get $p)) (i32.const 3)))))
          (local.set $b (f64x2.replace_lane 1 (v128.load64_zero (i32.shl (i32.load8_u offset=2 (local.get $p)) (i32.const 3))) (f64.load (i32.shl (i32.load8_u offset=5 (local.get $p)) (i32.const 3)))))
          (local.set $fx (call $f2
            (f64x2.div (f64x2.add (f64x2.add (f64x2.mul (local.get $m0) (local.get $r)) (f64x2.mul (local.get $m1) (local.get $g))) (f64x2.mul (local.get $m2) (local.get $b))) (local.get $wx))
            (local.get $t1) (local.get $kk)))
          (local.set $fy (call $f2
            (f64x2.add (f64x2.add (f64x2.mul (local.get $m3) (local.get $r)) (f64x2.mul (local.get $m4) (local.get $g))) (f64x2.mul (local.get $m5) (local.get $b)))
            (local.get $t1) (local.get $kk)))
          (local.set $fz (call $f2
            (f64x2.div (f64x2.add (f64x2.add (f64x2.mul (local.get $m6) (local.get $r)) (f64x2.mul (local.get $m7) (local.get $g))) (f64x2.mul (local.get $m8) (local.get $b))) (local.get $wz))
            (local.get $t1) (local.get $kk)))
          (local.set $vl (f32x4.demote_f64x2_zero (f64x2.sub (f64x2.mul (f64x2.splat (f64.const 116)) (local.get $fy)) (f64x2.splat (f64.const 16)))))
          (local.set $va (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.splat (f64.const 500)) (f64x2.sub (local.get $fx) (local.get $fy)))))
          (local.set $vb (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.splat (f64.const 200)) (f64x2.sub (local.get $fy) (local.get $fz)))))
          (local.set $o (i32.add (local.get $lab) (i32.mul (local.get $i) (i32.const 12))))
          (if (local.get $keep0)
            (then
              (v128.store32_lane 0 (local.get $o) (local.get $vl))
              (v128.store32_lane offset=4 0 (local.get $o) (local.get $va))
              (v128.store32_lane offset=8 0 (local.get $o) (local.get $vb))))
          (if (local.get $keep1)
            (then
              (v128.store32_lane offset=12 1 (local.get $o) (local.get $vl))
              (v128.store32_lane offset=16 1 (local.get $o) (local.get $va))
              (v128.store32_lane offset=20 1 (local.get $o) (local.get $vb)))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pixels)))
    ;; the last pixel of an odd count
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (call $rgb_to_lab_from (local.get $rgb) (local.get $n) (local.get $lab) (local.get $which) (local.get $t1) (local.get $kk) (local.get $i)))))

  ;; $finv on two lanes (both branches computed, one kept per lane)
  (func $finv2 (param $t v128) (param $t1 f64) (param $kk f64) (result v128)
    (local $t3 v128)
    (local.set $t3 (f64x2.mul (f64x2.mul (local.get $t) (local.get $t)) (local.get $t)))
    (v128.bitselect
      (local.get $t3)
      (f64x2.div (f64x2.sub (f64x2.mul (f64x2.splat (f64.const 116)) (local.get $t)) (f64x2.splat (f64.const 16))) (f64x2.splat (local.get $kk)))
      (f64x2.gt (local.get $t3) (f64x2.splat (local.get $t1)))))

  ;; lab_to_rgb two pixels at a time (pixels i and i + 1, each written only where which marks it)
  (func (export "lab_to_rgb") (param $lab i32) (param $n i32) (param $rgb i32) (param $which i32)
    (param $s0 f64) (param $s1 f64) (param $s2 f64) (param $u0 f64) (param $u1 f64) (param $u2 f64) (param $t1 f64) (param $kk f64)
    (local $i i32) (local $o i32) (local $p i32) (local $keep0 i32) (local $keep1 i32)
    (local $l v128) (local $a v128) (local $bb v128) (local $fy v128) (local $x v128) (local $y v128) (local $z v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128)
    (local $wx v128) (local $wz v128) (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $r4 v128) (local $r5 v128) (local $r6 v128) (local $r7 v128) (local $r8 v128)
    (local.set $wx (v128.load64_splat (i32.const 8288)))
    (local.set $wz (v128.load64_splat (i32.const 8296)))
    (local.set $r0 (v128.load64_splat (i32.const 8304)))
    (local.set $r1 (v128.load64_splat (i32.const 8312)))
    (local.set $r2 (v128.load64_splat (i32.const 8320)))
    (local.set $r3 (v128.load64_splat (i32.const 8328)))
    (local.set $r4 (v128.load64_splat (i32.const 8336)))
    (local.set $r5 (v128.load64_splat (i32.const 8344)))
    (local.set $r6 (v128.load64_splat (i32.const 8352)))
    (local.set $r7 (v128.load64_splat (i32.const 8360)))
    (local.set $r8 (v128.load64_splat (i32.const 8368)))
    (block $done
      (loop $pixels
        (br_if $done (i32.ge_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (block $next
          (local.set $keep0 (i32.const 1))
          (local.set $keep1 (i32.const 1))
          (if (i32.ge_s (local.get $which) (i32.const 0))
            (then
              (local.set $keep0 (i32.load8_u (i32.add (local.get $which) (local.get $i))))
              (local.set $keep1 (i32.load8_u offset=1 (i32.add (local.get $which) (local.get $i))))))
          (br_if $next (i32.eqz (i32.or (local.get $keep0) (local.get $keep1))))
          (local.set $o (i32.add (local.get $lab) (i32.mul (local.get $i) (i32.const 12))))
          ;; (L, a, b) of both pixels, each float32 widened, times its scale plus its shift
          (local.set $l (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (f32x4.replace_lane 1 (v128.load32_zero (local.get $o)) (f32.load offset=12 (local.get $o)))) (f64x2.splat (local.get $s0))) (f64x2.splat (local.get $u0))))
          (local.set $a (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (f32x4.replace_lane 1 (v128.load32_zero offset=4 (local.get $o)) (f32.load offset=16 (local.get $o)))) (f64x2.splat (local.get $s1))) (f64x2.splat (local.get $u1))))
          (local.set $bb (f64x2.add (f64x2.mul (f64x2.promote_low_f32x4 (f32x4.replace_lane 1 (v128.load32_zero offset=8 (local.get $o)) (f32.load offset=20 (local.get $o)))) (f64x2.splat (local.get $s2))) (f64x2.splat (local.get $u2))))
          (local.set $fy (f64x2.div (f64x2.add (local.get $l) (f64x2.splat (f64.const 16))) (f64x2.splat (f64.const 116))))
          (local.set $x (f64x2.mul (call $finv2 (f64x2.add (local.get $fy) (f64x2.div (local.get $a) (f64x2.splat (f64.const 500)))) (local.get $t1) (local.get $kk)) (local.get $wx)))
          (local.set $y (call $finv2 (local.get $fy) (local.get $t1) (local.get $kk)))
          (local.set $z (f64x2.mul (call $finv2 (f64x2.sub (local.get $fy) (f64x2.div (local.get $bb) (f64x2.splat (f64.const 200)))) (local.get $t1) (local.get $kk)) (local.get $wz)))
          (local.set $c0 (f64x2.add (f64x2.add (f64x2.mul (local.get $r0) (local.get $x)) (f64x2.mul (local.get $r1) (local.get $y))) (f64x2.mul (local.get $r2) (local.get $z))))
          (local.set $c1 (f64x2.add (f64x2.add (f64x2.mul (local.get $r3) (local.get $x)) (f64x2.mul (local.get $r4) (local.get $y))) (f64x2.mul (local.get $r5) (local.get $z))))
          (local.set $c2 (f64x2.add (f64x2.add (f64x2.mul (local.get $r6) (local.get $x)) (f64x2.mul (local.get $r7) (local.get $y))) (f64x2.mul (local.get $r8) (local.get $z))))
          (local.set $p (i32.add (local.get $rgb) (i32.mul (local.get $i) (i32.const 3))))
          (if (local.get $keep0)
            (then
              (i32.store8 (local.get $p) (call $to_byte (f64x2.extract_lane 0 (local.get $c0))))
              (i32.store8 offset=1 (local.get $p) (call $to_byte (f64x2.extract_lane 0 (local.get $c1))))
              (i32.store8 offset=2 (local.get $p) (call $to_byte (f64x2.extract_lane 0 (local.get $c2))))))
          (if (local.get $keep1)
            (then
              (i32.store8 offset=3 (local.get $p) (call $to_byte (f64x2.extract_lane 1 (local.get $c0))))
              (i32.store8 offset=4 (local.get $p) (call $to_byte (f64x2.extract_lane 1 (local.get $c1))))
              (i32.store8 offset=5 (local.get $p) (call $to_byte (f64x2.extract_lane 1 (local.get $c2)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $pixels)))
    ;; the last pixel of an odd count
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (call $lab_to_rgb_from (local.get $lab) (local.get $n) (local.get $rgb) (local.get $which)
        (local.get $s0) (local.get $s1) (local.get $s2) (local.get $u0) (local.get $u1) (local.get $u2) (local.get $t1) (local.get $kk) (local.get $i)))))

  ;; colour.ts's rctPixels: inside = mask > 127 (0 or 1), and wanted = inside | needed when
  ;; needed is not -1 (n bytes each), 16 at a time
  (func (export "rct_pixels") (param $mask i32) (param $needed i32) (param $n i32) (param $inside i32) (param $wanted i32)
    (local $i i32) (local $v v128) (local $end i32)
    (local.set $end (i32.and (local.get $n) (i32.const -16)))
    (block $done
      (loop $simd
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $v (v128.and (i8x16.gt_u (v128.load (i32.add (local.get $mask) (local.get $i))) (i8x16.splat (i32.const 127))) (i8x16.splat (i32.const 1))))
        (v128.store (i32.add (local.get $inside) (local.get $i)) (local.get $v))
        (if (i32.ge_s (local.get $needed) (i32.const 0))
          (then (v128.store (i32.add (local.get $wanted) (local.get $i)) (v128.or (local.get $v) (v128.load (i32.add (local.get $needed) (local.get $i)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $simd)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $end (i32.gt_u (i32.load8_u (i32.add (local.get $mask) (local.get $i))) (i32.const 127)))
        (i32.store8 (i32.add (local.get $inside) (local.get $i)) (local.get $end))
        (if (i32.ge_s (local.get $needed) (i32.const 0))
          (then (i32.store8 (i32.add (local.get $wanted) (local.get $i)) (i32.or (local.get $end) (i32.load8_u (i32.add (local.get $needed) (local.get $i)))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; composite.ts's pixelsRead on a size x size crop: seed = alpha > 0 or mask not 0; across = a
  ;; seed pixel's row neighbours; needed = across's column neighbours (inside the crop); the box
  ;; [x0, y0, x1, y1] of the pixels with alpha > 0 as 4 i32 at box (x1 = -1: none)
  (func (export "pixels_read") (param $alpha i32) (param $mask i32) (param $size i32) (param $seed i32) (param $across i32) (param $needed i32) (param $box i32)
    (local $x i32) (local $y i32) (local $i i32) (local $row i32) (local $last i32)
    (local $ax0 i32) (local $ax1 i32) (local $ay0 i32) (local $ay1 i32) (local $up i32) (local $down i32) (local $end i32)
    (local.set $ax0 (local.get $size))
    (local.set $ax1 (i32.const -1))
    (local.set $ay0 (local.get $size))
    (local.set $ay1 (i32.const -1))
    (local.set $last (i32.sub (local.get $size) (i32.const 1)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $y) (local.get $size)))
        (local.set $x (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $x) (local.get $size)))
            (if (f32.gt (f32.load (i32.add (local.get $alpha) (i32.shl (local.get $i) (i32.const 2)))) (f32.const 0))
              (then
                (i32.store8 (i32.add (local.get $seed) (local.get $i)) (i32.const 1))
                (if (i32.lt_s (local.get $x) (local.get $ax0)) (then (local.set $ax0 (local.get $x))))
                (if (i32.gt_s (local.get $x) (local.get $ax1)) (then (local.set $ax1 (local.get $x))))
                (if (i32.lt_s (local.get $y) (local.get $ay0)) (then (local.set $ay0 (local.get $y))))
                (local.set $ay1 (local.get $y)))
              (else
                (i32.store8 (i32.add (local.get $seed) (local.get $i)) (i32.ne (i32.load8_u (i32.add (local.get $mask) (local.get $i))) (i32.const 0)))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows)))
    (i32.store (local.get $box) (local.get $ax0))
    (i32.store offset=4 (local.get $box) (local.get $ay0))
    (i32.store offset=8 (local.get $box) (local.get $ax1))
    (i32.store offset=12 (local.get $box) (local.get $ay1))
    ;; across: each row's seeds or'd with their left and right neighbours (the row's ends apart)
    (local.set $y (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $y) (local.get $size)))
        (local.set $row (i32.mul (local.get $y) (local.get $size)))
        (local.set $x (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $x) (local.get $size)))
            (local.set $i (i32.add (local.get $row) (local.get $x)))
            (if (i32.and (i32.gt_s (local.get $x) (i32.const 0)) (i32.le_s (i32.add (local.get $x) (i32.const 17)) (local.get $size)))
              (then
                (v128.store (i32.add (local.get $across) (local.get $i))
                  (v128.or (v128.load (i32.add (local.get $seed) (local.get $i)))
                    (v128.or (v128.load (i32.sub (i32.add (local.get $seed) (local.get $i)) (i32.const 1)))
                      (v128.load offset=1 (i32.add (local.get $seed) (local.get $i))))))
                (local.set $x (i32.add (local.get $x) (i32.const 16))))
              (else
                (i32.store8 (i32.add (local.get $across) (local.get $i))
                  (i32.or (i32.load8_u (i32.add (local.get $seed) (local.get $i)))
                    (i32.or
                      (select (i32.load8_u (i32.sub (i32.add (local.get $seed) (local.get $i)) (i32.const 1))) (i32.const 0) (i32.gt_s (local.get $x) (i32.const 0)))
                      (select (i32.load8_u offset=1 (i32.add (local.get $seed) (local.get $i))) (i32.const 0) (i32.lt_s (local.get $x) (local.get $last))))))
                (local.set $x (i32.add (local.get $x) (i32.const 1)))))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows)))
    ;; needed: each row of across or'd with the rows above and below (a row itself at the crop's edge)
    (local.set $y (i32.const 0))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $y) (local.get $size)))
        (local.set $row (i32.mul (local.get $y) (local.get $size)))
        (local.set $up (select (i32.sub (local.get $row) (local.get $size)) (local.get $row) (i32.gt_s (local.get $y) (i32.const 0))))
        (local.set $down (select (i32.add (local.get $row) (local.get $size)) (local.get $row) (i32.lt_s (local.get $y) (local.get $last))))
        (local.set $x (i32.const 0))
        (local.set $end (i32.and (local.get $size) (i32.const -16)))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $x) (local.get $end)))
            (v128.store (i32.add (local.get $needed) (i32.add (local.get $row) (local.get $x)))
              (v128.or (v128.load (i32.add (local.get $across) (i32.add (local.get $row) (local.get $x))))
                (v128.or (v128.load (i32.add (local.get $across) (i32.add (local.get $up) (local.get $x))))
                  (v128.load (i32.add (local.get $across) (i32.add (local.get $down) (local.get $x)))))))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $cols)))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $x) (local.get $size)))
            (i32.store8 (i32.add (local.get $needed) (i32.add (local.get $row) (local.get $x)))
              (i32.or (i32.load8_u (i32.add (local.get $across) (i32.add (local.get $row) (local.get $x))))
                (i32.or (i32.load8_u (i32.add (local.get $across) (i32.add (local.get $up) (local.get $x))))
                  (i32.load8_u (i32.add (local.get $across) (i32.add (local.get $down) (local.get $x)))))))
            (local.set $x (i32.add (local.get $x) (i32.const 1)))
            (br $cols)))
        (local.set $y (i32.add (local.get $y) (i32.const 1)))
        (br $rows))))

  ;; warp-affine.ts's warpAffine with border 'replicate': out (width x height RGB) from src
  ;; (sw x sh RGB, of which rows y0 .. go from src on: src holds the rows the map reaches), each
  ;; output pixel marked in only (all when only is -1) the bilinear sample of the source point
  ;; (a x + b y + c, d x + e y + f), x and y stepped along the row as warpAffine steps them; the
  ;; three channels as two pairs of float64 lanes, + 0.5 and truncated as a Uint8Array store does
  (func (export "warp") (param $src i32) (param $sw i32) (param $sh i32) (param $ybase i32) (param $out i32) (param $width i32) (param $height i32)
    (param $a f64) (param $b f64) (param $c f64) (param $d f64) (param $e f64) (param $f f64) (param $only i32)
    (local $u i32) (local $v i32) (local $x f64) (local $y f64) (local $xc f64) (local $yc f64) (local $right f64) (local $bottom f64)
    (local $fx f64) (local $fy f64) (local $ix i32) (local $iy i32) (local $dx i32) (local $dy i32)
    (local $w00 f64) (local $w10 f64) (local $w01 f64) (local $w11 f64)
    (local $p00 i32) (local $p10 i32) (local $p01 i32) (local $p11 i32) (local $o i32) (local $p i32)
    (local $px v128) (local $v00 v128) (local $v10 v128) (local $v01 v128) (local $v11 v128)
    (local $c00rg v128) (local $c00b v128) (local $c10rg v128) (local $c10b v128) (local $c01rg v128) (local $c01b v128)
    (local $c11rg v128) (local $c11b v128) (local $resrg v128) (local $resb v128)
    (local.set $right (f64.convert_i32_s (i32.sub (local.get $sw) (i32.const 1))))
    (local.set $bottom (f64.convert_i32_s (i32.sub (local.get $sh) (i32.const 1))))
    (local.set $o (local.get $out))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $v) (local.get $height)))
        (local.set $x (f64.add (f64.mul (local.get $b) (f64.convert_i32_s (local.get $v))) (local.get $c)))
        (local.set $y (f64.add (f64.mul (local.get $e) (f64.convert_i32_s (local.get $v))) (local.get $f)))
        (local.set $u (i32.const 0))
        (block $cols_done
          (loop $cols
            (br_if $cols_done (i32.ge_s (local.get $u) (local.get $width)))
            (block $next
              (br_if $next (if (result i32) (i32.ge_s (local.get $only) (i32.const 0)) (then (i32.eqz (i32.load8_u (i32.add (local.get $only) (local.get $p))))) (else (i32.const 0))))
              (local.set $xc (select (f64.const 0) (select (local.get $right) (local.get $x) (f64.gt (local.get $x) (local.get $right))) (f64.lt (local.get $x) (f64.const 0))))
              (local.set $yc (select (f64.const 0) (select (local.get $bottom) (local.get $y) (f64.gt (local.get $y) (local.get $bottom))) (f64.lt (local.get $y) (f64.const 0))))
              (local.set $fx (f64.floor (local.get $xc)))
              (local.set $fy (f64.floor (local.get $yc)))
              (local.set $ix (i32.trunc_sat_f64_s (local.get $fx)))
              (local.set $iy (i32.trunc_sat_f64_s (local.get $fy)))
              (local.set $dx (select (i32.const 3) (i32.const 0) (i32.lt_s (i32.add (local.get $ix) (i32.const 1)) (local.get $sw))))
              (local.set $dy (select (i32.mul (local.get $sw) (i32.const 3)) (i32.const 0) (i32.lt_s (i32.add (local.get $iy) (i32.const 1)) (local.get $sh))))
              (local.set $fx (f64.sub (local.get $xc) (local.get $fx)))
              (local.set $fy (f64.sub (local.get $yc) (local.get $fy)))
              (local.set $w00 (f64.mul (f64.sub (f64.const 1) (local.get $fx)) (f64.sub (f64.const 1) (local.get $fy))))
              (local.set $w10 (f64.mul (local.get $fx) (f64.sub (f64.const 1) (local.get $fy))))
              (local.set $w01 (f64.mul (f64.sub (f64.const 1) (local.get $fx)) (local.get $fy)))
              (local.set $w11 (f64.mul (local.get $fx) (local.get $fy)))
              (local.set $p00 (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (i32.sub (local.get $iy) (local.get $ybase)) (local.get $sw)) (local.get $ix)) (i32.const 3))))
              (local.set $p10 (i32.add (local.get $p00) (local.get $dx)))
              (local.set $p01 (i32.add (local.get $p00) (local.get $dy)))
              (local.set $p11 (i32.add (local.get $p01) (local.get $dx)))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p00)))))
              (local.set $c00rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c00b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p10)))))
              (local.set $c10rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c10b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p01)))))
              (local.set $c01rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c01b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $px (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u (v128.load32_zero (local.get $p11)))))
              (local.set $c11rg (f64x2.convert_low_i32x4_u (local.get $px)))
              (local.set $c11b (f64x2.convert_low_i32x4_u (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $px) (local.get $px))))
              (local.set $v00 (f64x2.splat (local.get $w00)))
              (local.set $v10 (f64x2.splat (local.get $w10)))
              (local.set $v01 (f64x2.splat (local.get $w01)))
              (local.set $v11 (f64x2.splat (local.get $w11)))
              (local.set $resrg (i32x4.trunc_sat_f64x2_s_zero (f64x2.add
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add (f64x2.mul (local.get $v00) (local.get $c00rg)) (f64x2.mul (local.get $v10) (local.get $c10rg)))
                        (f64x2.mul (local.get $v01) (local.get $c01rg)))
                      (f64x2.mul (local.get $v11) (local.get $c11rg)))
                    (f64x2.splat (f64.const 0.5)))))
              (local.set $resb (i32x4.trunc_sat_f64x2_s_zero (f64x2.add
                    (f64x2.add
                      (f64x2.add
                        (f64x2.add (f64x2.mul (local.get $v00) (local.get $c00b)) (f64x2.mul (local.get $v10) (local.get $c10b)))
                        (f64x2.mul (local.get $v01) (local.get $c01b)))
                      (f64x2.mul (local.get $v11) (local.get $c11b)))
                    (f64x2.splat (f64.const 0.5)))))
              (i32.store8 (local.get $o) (i32x4.extract_lane 0 (local.get $resrg)))
              (i32.store8 offset=1 (local.get $o) (i32x4.extract_lane 1 (local.get $resrg)))
              (i32.store8 offset=2 (local.get $o) (i32x4.extract_lane 0 (local.get $resb))))
            (local.set $x (f64.add (local.get $x) (local.get $a)))
            (local.set $y (f64.add (local.get $y) (local.get $d)))
            (local.set $o (i32.add (local.get $o) (i32.const 3)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $u (i32.add (local.get $u) (i32.const 1)))
            (br $cols)))
        (local.set $v (i32.add (local.get $v) (i32.const 1)))
        (br $rows))))
)
