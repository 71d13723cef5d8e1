;; Janus's training kernels in WebAssembly SIMD, on the tfjs wasm backend's own
;; memory (imported: every pointer is a tensor's byte offset in that heap, nothing is copied).
;; Compiled by src/engine/wasm-simd-build.ts (`make wasm-simd`) into wasm-simd-binary.ts, once
;; with a shared memory (tfjs's threaded build) and once with a plain one; the memory line
;; below is the one that differs. Every operation is IEEE float32, rounded as tfjs's own
;; kernels round the same formula op by op, so the results are the same bits.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Adam, one variable: with g the gradient,
  ;;   m' = m*b1 + g*c1                 (c1 = 1 - b1)
  ;;   v' = v*b2 + (g*g)*c2             (c2 = 1 - b2)
  ;;   w' = ((m'/a1) / (sqrt(v'/a2) + eps)) * nlr + w
  ;; a1, a2: 1 - beta^t; nlr: -learning rate. Writes ow, om, ov (n values each).
  (func (export "adam")
    (param $w i32) (param $g i32) (param $m i32) (param $v i32)
    (param $ow i32) (param $om i32) (param $ov i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $a1 f32) (param $a2 f32) (param $eps f32) (param $nlr f32)
    (local $o i32) (local $end4 i32) (local $end i32)
    (local $gv v128) (local $mv v128) (local $vv v128) (local $step v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (block $done4
      (loop $simd
        (br_if $done4 (i32.ge_u (local.get $o) (local.get $end4)))
        (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $o))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $o))) (f32x4.splat (local.get $b1)))
            (f32x4.mul (local.get $gv) (f32x4.splat (local.get $c1)))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $o))) (f32x4.splat (local.get $b2)))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (f32x4.splat (local.get $c2)))))
        (v128.store align=4 (i32.add (local.get $om) (local.get $o)) (local.get $mv))
        (v128.store align=4 (i32.add (local.get $ov) (local.get $o)) (local.get $vv))
        (local.set $step
          (f32x4.div
            (f32x4.div (local.get $mv) (f32x4.splat (local.get $a1)))
            (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (f32x4.splat (local.get $a2)))) (f32x4.splat (local.get $eps)))))
        (v128.store align=4 (i32.add (local.get $ow) (local.get $o))
          (f32x4.add (f32x4.mul (local.get $step) (f32x4.splat (local.get $nlr))) (v128.load align=4 (i32.add (local.get $w) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $simd)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $om) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $ov) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $ow) (local.get $o))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $a1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $a2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $w) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tail))))

  ;; LeakyReLU's gradient: out = x > 0 ? dy : dy*alpha (n values).
  (func (export "leaky_relu_grad")
    (param $dy i32) (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $o i32) (local $end4 i32) (local $end i32) (local $d v128) (local $ds f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (block $done4
      (loop $simd
        (br_if $done4 (i32.ge_u (local.get $o) (local.get $end4)))
        (local.set $d (v128.load align=4 (i32.add (local.get $dy) (local.get $o))))
        (v128.store align=4 (i32.add (local.get $out) (local.get $o))
          (v128.bitselect
            (local.get $d)
            (f32x4.mul (local.get $d) (f32x4.splat (local.get $alpha)))
            (f32x4.gt (v128.load align=4 (i32.add (local.get $x) (local.get $o))) (f32x4.splat (f32.const 0)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $simd)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $ds (f32.load (i32.add (local.get $dy) (local.get $o))))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (select
            (local.get $ds)
            (f32.mul (local.get $ds) (local.get $alpha))
            (f32.gt (f32.load (i32.add (local.get $x) (local.get $o))) (f32.const 0))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tail))))

  ;; LeakyReLU: out = x < 0 ? x*alpha : x (n values; tfjs's test, so -0, NaN and any alpha give its bits).
  (func (export "leaky_relu")
    (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $o i32) (local $end4 i32) (local $end i32) (local $d v128) (local $ds f32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (block $done4
      (loop $simd
        (br_if $done4 (i32.ge_u (local.get $o) (local.get $end4)))
        (local.set $d (v128.load align=4 (i32.add (local.get $x) (local.get $o))))
        (v128.store align=4 (i32.add (local.get $out) (local.get $o))
          (v128.bitselect
            (f32x4.mul (local.get $d) (f32x4.splat (local.get $alpha)))
            (local.get $d)
            (f32x4.lt (local.get $d) (f32x4.splat (f32.const 0)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $simd)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (local.set $ds (f32.load (i32.add (local.get $x) (local.get $o))))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (select
            (f32.mul (local.get $ds) (local.get $alpha))
            (local.get $ds)
            (f32.lt (local.get $ds) (f32.const 0))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tail))))
  ;; col2im's overlap-add: cols is [n*oh*ow, kh*kw*ci] (dy times the filter: every tap's
  ;; contribution), out is dx [n, h, w, ci], zeroed by the caller; each tap's ci values are
  ;; added to dx at (oy*sh + ky - pt, ox*sw + kx - pl) when that lies inside dx.
  (func (export "col2im")
    (param $cols i32) (param $out i32) (param $n i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $ci i32) (param $h i32) (param $w i32)
    (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32)
    (local $iy i32) (local $ix i32) (local $row i32) (local $src i32) (local $dst i32)
    (local $c i32) (local $bytes i32) (local $bytes4 i32)
    (local.set $bytes (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $bytes4 (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $row (local.get $cols))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $oy (i32.const 0))
      (block $oydone (loop $oyloop
        (br_if $oydone (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $oxdone (loop $oxloop
          (br_if $oxdone (i32.ge_u (local.get $ox) (local.get $ow)))
          (local.set $ky (i32.const 0))
          (block $kydone (loop $kyloop
            (br_if $kydone (i32.ge_u (local.get $ky) (local.get $kh)))
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $ky)) (local.get $pt)))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $h)))
              (then
                (local.set $kx (i32.const 0))
                (block $kxdone (loop $kxloop
                  (br_if $kxdone (i32.ge_u (local.get $kx) (local.get $kw)))
                  (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $sw)) (local.get $kx)) (local.get $pl)))
                  (if (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $w)))
                    (then
                      (local.set $src (i32.add (local.get $row)
                        (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kx)) (local.get $bytes))))
                      (local.set $dst (i32.add (local.get $out)
                        (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $iy)) (local.get $w)) (local.get $ix)) (local.get $bytes))))
                      (local.set $c (i32.const 0))
                      (block $cdone4 (loop $cloop4
                        (br_if $cdone4 (i32.ge_u (local.get $c) (local.get $bytes4)))
                        (v128.store align=4 (i32.add (local.get $dst) (local.get $c))
                          (f32x4.add
                            (v128.load align=4 (i32.add (local.get $dst) (local.get $c)))
                            (v128.load align=4 (i32.add (local.get $src) (local.get $c)))))
                        (local.set $c (i32.add (local.get $c) (i32.const 16)))
                        (br $cloop4)))
                      (block $cdone (loop $cloop
                        (br_if $cdone (i32.ge_u (local.get $c) (local.get $bytes)))
                        (f32.store (i32.add (local.get $dst) (local.get $c))
                          (f32.add
                            (f32.load (i32.add (local.get $dst) (local.get $c)))
                            (f32.load (i32.add (local.get $src) (local.get $c)))))
                        (local.set $c (i32.add (local.get $c) (i32.const 4)))
                        (br $cloop)))))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br $kxloop)))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kyloop)))
          (local.set $row (i32.add (local.get $row) (i32.mul (i32.mul (local.get $kh) (local.get $kw)) (local.get $bytes))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxloop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))
  ;; col2im's overlap-add from the transposed product: colsT is [kh*kw*ci, n*oh*ow] (the
  ;; filter times dy transposed), out is dx [n, h, w, ci], zeroed by the caller. The sums are
  ;; made in col2im's order (row by row, tap by tap), so both give the same bits whatever the
  ;; batch; the reads are strided (one value per row of colsT).
  (func (export "col2im_t")
    (param $cols i32) (param $out i32) (param $n i32) (param $oh i32) (param $ow i32)
    (param $kh i32) (param $kw i32) (param $ci i32) (param $h i32) (param $w i32)
    (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $ky i32) (local $kx i32) (local $c i32)
    (local $iy i32) (local $ix i32) (local $src i32) (local $dst i32) (local $bytes i32)
    (local $stride i32) (local $row i32)
    (local.set $bytes (i32.shl (local.get $ci) (i32.const 2)))
    ;; bytes between one tap-channel row of colsT and the next
    (local.set $stride (i32.shl (i32.mul (i32.mul (local.get $n) (local.get $oh)) (local.get $ow)) (i32.const 2)))
    (local.set $row (local.get $cols))
    (local.set $b (i32.const 0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $oy (i32.const 0))
      (block $oydone (loop $oyloop
        (br_if $oydone (i32.ge_u (local.get $oy) (local.get $oh)))
        (local.set $ox (i32.const 0))
        (block $oxdone (loop $oxloop
          (br_if $oxdone (i32.ge_u (local.get $ox) (local.get $ow)))
          (local.set $ky (i32.const 0))
          (block $kydone (loop $kyloop
            (br_if $kydone (i32.ge_u (local.get $ky) (local.get $kh)))
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $sh)) (local.get $ky)) (local.get $pt)))
            (if (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.lt_s (local.get $iy) (local.get $h)))
              (then
                (local.set $kx (i32.const 0))
                (block $kxdone (loop $kxloop
                  (br_if $kxdone (i32.ge_u (local.get $kx) (local.get $kw)))
                  (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $sw)) (local.get $kx)) (local.get $pl)))
                  (if (i32.and (i32.ge_s (local.get $ix) (i32.const 0)) (i32.lt_s (local.get $ix) (local.get $w)))
                    (then
                      ;; colsT[(ky*kw + kx)*ci + c][row], c = 0..ci-1
                      (local.set $src (i32.add (local.get $row)
                        (i32.mul (i32.mul (i32.add (i32.mul (local.get $ky) (local.get $kw)) (local.get $kx)) (local.get $ci)) (local.get $stride))))
                      (local.set $dst (i32.add (local.get $out)
                        (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $iy)) (local.get $w)) (local.get $ix)) (local.get $bytes))))
                      (local.set $c (i32.const 0))
                      (block $cdone (loop $cloop
                        (br_if $cdone (i32.ge_u (local.get $c) (local.get $bytes)))
                        (f32.store (i32.add (local.get $dst) (local.get $c))
                          (f32.add (f32.load (i32.add (local.get $dst) (local.get $c))) (f32.load (local.get $src))))
                        (local.set $src (i32.add (local.get $src) (local.get $stride)))
                        (local.set $c (i32.add (local.get $c) (i32.const 4)))
                        (br $cloop)))))
                  (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
                  (br $kxloop)))))
            (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
            (br $kyloop)))
          (local.set $row (i32.add (local.get $row) (i32.const 4)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $oxloop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oyloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; a + b, elementwise (n values; same shapes: no broadcasting).
  (func (export "add")
    (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (local $o i32) (local $end4 i32) (local $end i32)
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $end4 (i32.and (local.get $end) (i32.const -16)))
    (block $done4
      (loop $simd
        (br_if $done4 (i32.ge_u (local.get $o) (local.get $end4)))
        (v128.store align=4 (i32.add (local.get $out) (local.get $o))
          (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $o))) (v128.load align=4 (i32.add (local.get $b) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $simd)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (f32.add (f32.load (i32.add (local.get $a) (local.get $o))) (f32.load (i32.add (local.get $b) (local.get $o)))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tail))))

  ;; out[r][c] = x[r][c] + b[c] (x is [rows, ch]): a bias added over the last axis, as tfjs's
  ;; broadcasting Add computes it (one float32 add a value).
  (func (export "add_rows")
    (param $x i32) (param $b i32) (param $out i32) (param $rows i32) (param $ch i32)
    (local $r i32) (local $c i32) (local $bytes i32) (local $bytes4 i32) (local $src i32) (local $dst i32)
    (local.set $bytes (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $bytes4 (i32.and (local.get $bytes) (i32.const -16)))
    (local.set $src (local.get $x))
    (local.set $dst (local.get $out))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cdone4 (loop $cloop4
        (br_if $cdone4 (i32.ge_u (local.get $c) (local.get $bytes4)))
        (v128.store align=4 (i32.add (local.get $dst) (local.get $c))
          (f32x4.add (v128.load align=4 (i32.add (local.get $src) (local.get $c))) (v128.load align=4 (i32.add (local.get $b) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cloop4)))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $bytes)))
        (f32.store (i32.add (local.get $dst) (local.get $c))
          (f32.add (f32.load (i32.add (local.get $src) (local.get $c))) (f32.load (i32.add (local.get $b) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      (local.set $src (i32.add (local.get $src) (local.get $bytes)))
      (local.set $dst (i32.add (local.get $dst) (local.get $bytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))

  ;; out[c] = sum over r of x[r][c] (x is [rows, ch]): a bias's gradient. Each channel is summed
  ;; from 0 in row order, as tfjs's Sum does after its transpose, so the bits are the same.
  (func (export "sum_rows")
    (param $x i32) (param $out i32) (param $rows i32) (param $ch i32)
    (local $r i32) (local $c i32) (local $bytes i32) (local $bytes4 i32) (local $src i32)
    (local.set $bytes (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $bytes4 (i32.and (local.get $bytes) (i32.const -16)))
    (memory.fill (local.get $out) (i32.const 0) (local.get $bytes))
    (local.set $src (local.get $x))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cdone4 (loop $cloop4
        (br_if $cdone4 (i32.ge_u (local.get $c) (local.get $bytes4)))
        (v128.store align=4 (i32.add (local.get $out) (local.get $c))
          (f32x4.add (v128.load align=4 (i32.add (local.get $out) (local.get $c))) (v128.load align=4 (i32.add (local.get $src) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cloop4)))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $bytes)))
        (f32.store (i32.add (local.get $out) (local.get $c))
          (f32.add (f32.load (i32.add (local.get $out) (local.get $c))) (f32.load (i32.add (local.get $src) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $cloop)))
      (local.set $src (i32.add (local.get $src) (local.get $bytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))

  ;; Batch normalisation over the last axis of x ([rows, ch], ch a multiple of 4), as
  ;; tfjs 4.22's compiled FusedBatchNorm computes it (read from its wasm): in float32
  ;; t = (x - mean) * scale and n = sqrt(variance + eps), then in float64 offset + t / n, rounded
  ;; to float32 once. Two lanes at a time in float64.
  (func (export "batch_norm")
    (param $x i32) (param $mean i32) (param $variance i32) (param $scale i32) (param $offset i32)
    (param $out i32) (param $rows i32) (param $ch i32) (param $eps f32)
    (local $r i32) (local $c i32) (local $bytes i32) (local $src i32) (local $dst i32)
    (local $t v128) (local $n v128) (local $o v128)
    (local.set $bytes (i32.shl (local.get $ch) (i32.const 2)))
    (local.set $src (local.get $x))
    (local.set $dst (local.get $out))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $c) (local.get $bytes)))
        (local.set $t
          (f32x4.mul
            (f32x4.sub (v128.load align=4 (i32.add (local.get $src) (local.get $c))) (v128.load align=4 (i32.add (local.get $mean) (local.get $c))))
            (v128.load align=4 (i32.add (local.get $scale) (local.get $c)))))
        (local.set $n (f32x4.sqrt (f32x4.add (v128.load align=4 (i32.add (local.get $variance) (local.get $c))) (f32x4.splat (local.get $eps)))))
        (local.set $o (v128.load align=4 (i32.add (local.get $offset) (local.get $c))))
        (v128.store align=4 (i32.add (local.get $dst) (local.get $c))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
            (f32x4.demote_f64x2_zero
              (f64x2.add (f64x2.promote_low_f32x4 (local.get $o))
                (f64x2.div (f64x2.promote_low_f32x4 (local.get $t)) (f64x2.promote_low_f32x4 (local.get $n)))))
            (f32x4.demote_f64x2_zero
              (f64x2.add (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $o) (local.get $o)))
                (f64x2.div
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $t) (local.get $t)))
                  (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $n) (local.get $n))))))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $cloop)))
      (local.set $src (i32.add (local.get $src) (local.get $bytes)))
      (local.set $dst (i32.add (local.get $dst) (local.get $bytes)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))
)
