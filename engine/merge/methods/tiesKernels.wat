;; TIES' kernels in WebAssembly, each the same bit for bit as the JavaScript it stands in for. Every loop is
;; written out in full: V8 does not inline WebAssembly calls (measured: a third of the time). Build: node
;; scripts/build-wasm.mjs (writes tiesKernelsWasm.ts). Each user has an instance of its own, so its memory
;; is its own; the caller puts slices where it says and reads results there.
;;
;; decodeHalves and encodeHalves: F16 to float32 and back, as engine/gguf decodes and encodes them.
;;
;; mergePair: TIES' trim, election and disjoint merge of one slice for two inputs (tiesSliceKernel.ts's
;; mergePair), four positions at a time (f32x4, then two f64x2 halves). Each step rounds to float32 where
;; the JavaScript kernel does (Math.fround is f32.demote_f64); positions that tie with a cut or hold a
;; non-finite task vector go through $one, the scalar kernel, which spends the tie budgets (globals budget0
;; and budget1) in position order. Base and inputs (float32) at $pb, $p0 and $p1, the merged slice at
;; $po; returns 0 at the first non-finite task vector (the caller then takes the general path), else 1.
;; The election weighs the kept τ by $e0 and $e1 (TIES passes its weights; SCE, ones).
;;
;; addSquaredNormsPair: SCE's squared norms (sce.ts' addSquaredNorms, every position selected) of two
;; inputs' task vectors, (x − base)² in doubles added in position order to the globals energy0 and energy1.
;;
;; countHigh, countWindowed, countLow: TopKCutFinder's counting (topK.ts's countDifferences): the magnitude
;; of each τ = x − base, rounded to float32 (f32.sub, as storing the JavaScript difference rounds it), as
;; its bit pattern with the sign cleared, counted by its high half (pass 0), by its low half within the
;; window of high halves (pass 0 with a window), or by its low half within one high half (pass 1). Counts
;; are 32-bit and wrap as a Uint32Array's do.
;;
;; SCE's selection for two inputs: countVarianceHigh and countVarianceLow count the positions' variances
;; (sce.ts' writeVariances: in doubles, rounded to float32) as countHigh and countLow count magnitudes, the
;; first returning how many are not zero; selectPair applies the cut ($cut, its bit pattern, with the
;; ties' budget in the global selectBudget, as topK.ts' TopKTrimmer.mark spends it) by setting both
;; inputs to the base where a position is not selected, so their task vectors are zero there.
(module
  (memory (export "memory") 1)

  (func (export "decodeHalves") (param $n i32) (param $from i32) (param $to i32)
    (local $end i32) (local $h v128) (local $em v128) (local $scaled v128) (local $special v128)
    (local.set $end (i32.add (local.get $from) (i32.shl (local.get $n) (i32.const 1))))
    ;; Four at a time; the slice may end with up to three more, read from past its end and written past
    ;; its end, within the caller's region (regions are padded).
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $from) (local.get $end)))
        (local.set $h (i32x4.extend_low_i16x8_u (v128.load64_zero (local.get $from))))
        (local.set $em (i32x4.shl (v128.and (local.get $h) (i32x4.splat (i32.const 0x7fff))) (i32.const 13)))
        ;; Normal and subnormal halves: the bits as a float32, scaled by 2^112, exactly.
        (local.set $scaled (f32x4.mul (local.get $em) (f32x4.splat (f32.const 0x1p112))))
        ;; Infinity and NaN: all-ones exponent, the mantissa (a NaN's payload) kept.
        (local.set $special (v128.or (local.get $em) (i32x4.splat (i32.const 0x7f800000))))
        (v128.store (local.get $to) (v128.or
          (i32x4.shl (v128.and (local.get $h) (i32x4.splat (i32.const 0x8000))) (i32.const 16))
          (v128.bitselect (local.get $special) (local.get $scaled)
            (i32x4.ge_u (local.get $em) (i32x4.splat (i32.const 0x0f800000))))))
        (local.set $from (i32.add (local.get $from) (i32.const 8)))
        (local.set $to (i32.add (local.get $to) (i32.const 16)))
        (br $next))))

  ;; encodeHalves: n float32 at $from to IEEE halves at $to, rounding to nearest even, as
  ;; engine/gguf/floatCodecs.ts encodes them (NaN to the quiet 0x7e00 with its sign). Four at a time where
  ;; all four are normal halves; otherwise those four one by one ($half).
  (func $half (param $bits i32) (result i32)
    (local $sign i32) (local $abs i32) (local $exponent i32) (local $mantissa i32) (local $half i32)
    (local $rest i32) (local $shift i32) (local $halfway i32)
    (local.set $sign (i32.and (i32.shr_u (local.get $bits) (i32.const 16)) (i32.const 0x8000)))
    (local.set $abs (i32.and (local.get $bits) (i32.const 0x7fffffff)))
    (if (i32.gt_u (local.get $abs) (i32.const 0x7f800000))
      (then (return (i32.or (local.get $sign) (i32.const 0x7e00)))))
    (local.set $exponent (i32.shr_u (local.get $abs) (i32.const 23)))
    (if (i32.ge_u (local.get $exponent) (i32.const 143))
      (then (return (i32.or (local.get $sign) (i32.const 0x7c00)))))
    (if (i32.ge_u (local.get $exponent) (i32.const 113))
      (then
        (local.set $mantissa (i32.and (local.get $abs) (i32.const 0x7fffff)))
        (local.set $half (i32.or (i32.shl (i32.sub (local.get $exponent) (i32.const 112)) (i32.const 10))
                                 (i32.shr_u (local.get $mantissa) (i32.const 13))))
        (local.set $rest (i32.and (local.get $mantissa) (i32.const 0x1fff)))
        (if (i32.or (i32.gt_u (local.get $rest) (i32.const 0x1000))
                    (i32.and (i32.eq (local.get $rest) (i32.const 0x1000))
                             (i32.and (local.get $half) (i32.const 1))))
          (then (local.set $half (i32.add (local.get $half) (i32.const 1)))))
        (return (i32.or (local.get $sign) (local.get $half)))))
    (if (i32.ge_u (local.get $exponent) (i32.const 102))
      (then
        (local.set $mantissa (i32.or (i32.and (local.get $abs) (i32.const 0x7fffff)) (i32.const 0x800000)))
        (local.set $shift (i32.sub (i32.const 126) (local.get $exponent)))
        (local.set $half (i32.shr_u (local.get $mantissa) (local.get $shift)))
        (local.set $rest (i32.and (local.get $mantissa)
          (i32.sub (i32.shl (i32.const 1) (local.get $shift)) (i32.const 1))))
        (local.set $halfway (i32.shl (i32.const 1) (i32.sub (local.get $shift) (i32.const 1))))
        (if (i32.or (i32.gt_u (local.get $rest) (local.get $halfway))
                    (i32.and (i32.eq (local.get $rest) (local.get $halfway))
                             (i32.and (local.get $half) (i32.const 1))))
          (then (local.set $half (i32.add (local.get $half) (i32.const 1)))))
        (return (i32.or (local.get $sign) (local.get $half)))))
    (local.get $sign))

  (func (export "encodeHalves") (param $n i32) (param $from i32) (param $to i32)
    (local $end i32) (local $w v128) (local $abs v128) (local $k i32)
    (local.set $end (i32.add (local.get $to) (i32.shl (local.get $n) (i32.const 1))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $to) (local.get $end)))
        (local.set $w (v128.load (local.get $from)))
        (local.set $abs (v128.and (local.get $w) (i32x4.splat (i32.const 0x7fffffff))))
        (if (i32x4.all_true (i32x4.lt_u
              (i32x4.sub (local.get $abs) (i32x4.splat (i32.const 0x38800000)))
              (i32x4.splat (i32.const 0x0f000000))))
          (then
            ;; Normal halves: a rounding bias below the cut, which carries into the exponent by itself.
            (v128.store64_lane 0 (local.get $to) (i16x8.narrow_i32x4_u
              (v128.or
                (v128.and (i32x4.shr_u (local.get $w) (i32.const 16)) (i32x4.splat (i32.const 0x8000)))
                (i32x4.sub
                  (i32x4.shr_u
                    (i32x4.add (i32x4.add (local.get $abs) (i32x4.splat (i32.const 0x0fff)))
                      (v128.and (i32x4.shr_u (local.get $abs) (i32.const 13)) (i32x4.splat (i32.const 1))))
                    (i32.const 13))
                  (i32x4.splat (i32.const 0x1c000))))
              (i32x4.splat (i32.const 0)))))
          (else
            (local.set $k (i32.const 0))
            (loop $lane
              (i32.store16 (i32.add (local.get $to) (i32.shl (local.get $k) (i32.const 1)))
                (call $half (i32.load (i32.add (local.get $from) (i32.shl (local.get $k) (i32.const 2))))))
              (local.set $k (i32.add (local.get $k) (i32.const 1)))
              (br_if $lane (i32.lt_u (local.get $k) (i32.const 4))))))
        (local.set $from (i32.add (local.get $from) (i32.const 16)))
        (local.set $to (i32.add (local.get $to) (i32.const 8)))
        (br $next))))

  (global $budget0 (export "budget0") (mut f64) (f64.const 0))
  (global $budget1 (export "budget1") (mut f64) (f64.const 0))
  (global $energy0 (export "energy0") (mut f64) (f64.const 0))
  (global $energy1 (export "energy1") (mut f64) (f64.const 0))
  (global $selectBudget (export "selectBudget") (mut f64) (f64.const 0))

  ;; One position, exactly as the scalar JS kernel: returns 0 on a non-finite task vector.
  (func $one (param $j i32) (param $pb i32) (param $p0 i32) (param $p1 i32) (param $po i32)
    (param $w0 f64) (param $w1 f64) (param $t0 f64) (param $t1 f64) (param $lambda f64)
    (param $positive i32) (param $d0 f64) (param $d1 f64) (param $d2 f64) (param $d3 f64)
    (param $e0 f64) (param $e1 f64) (result i32)
    (local $b f64) (local $tau0 f64) (local $tau1 f64) (local $m0 f64) (local $m1 f64)
    (local $k0 f64) (local $k1 f64) (local $c0 f64) (local $c1 f64) (local $vote f64) (local $el f64)
    (local $a0 i32) (local $a1 i32) (local $sum f64) (local $off i32) (local $d f64)
    (local.set $off (i32.shl (local.get $j) (i32.const 2)))
    (local.set $b (f64.promote_f32 (f32.load (i32.add (local.get $pb) (local.get $off)))))
    (local.set $tau0 (f64.promote_f32 (f32.sub (f32.load (i32.add (local.get $p0) (local.get $off)))
                                                (f32.load (i32.add (local.get $pb) (local.get $off))))))
    (local.set $tau1 (f64.promote_f32 (f32.sub (f32.load (i32.add (local.get $p1) (local.get $off)))
                                                (f32.load (i32.add (local.get $pb) (local.get $off))))))
    (local.set $m0 (f64.abs (local.get $tau0)))
    (local.set $m1 (f64.abs (local.get $tau1)))
    (if (i32.eqz (i32.and (f64.le (local.get $m0) (f64.const 3.4028234663852886e38))
                          (f64.le (local.get $m1) (f64.const 3.4028234663852886e38))))
      (then (return (i32.const 0))))
    (local.set $k0 (f64.convert_i32_u (f64.gt (local.get $m0) (local.get $t0))))
    (local.set $k1 (f64.convert_i32_u (f64.gt (local.get $m1) (local.get $t1))))
    (if (i32.and (f64.eq (local.get $m0) (local.get $t0)) (f64.gt (global.get $budget0) (f64.const 0)))
      (then (global.set $budget0 (f64.sub (global.get $budget0) (f64.const 1)))
            (local.set $k0 (f64.const 1))))
    (if (i32.and (f64.eq (local.get $m1) (local.get $t1)) (f64.gt (global.get $budget1) (f64.const 0)))
      (then (global.set $budget1 (f64.sub (global.get $budget1) (f64.const 1)))
            (local.set $k1 (f64.const 1))))
    (local.set $c0 (f64.mul (local.get $w0) (f64.mul (local.get $k0) (local.get $tau0))))
    (local.set $c1 (f64.mul (local.get $w1) (f64.mul (local.get $k1) (local.get $tau1))))
    (local.set $vote (f64.promote_f32 (f32.demote_f64 (f64.add
      (f64.promote_f32 (f32.demote_f64 (f64.add (f64.const 0)
        (f64.mul (local.get $e0) (f64.mul (local.get $k0) (local.get $tau0))))))
      (f64.mul (local.get $e1) (f64.mul (local.get $k1) (local.get $tau1)))))))
    (local.set $el (if (result f64) (local.get $positive)
      (then (f64.sub (f64.mul (f64.convert_i32_u (f64.ge (local.get $vote) (f64.const 0))) (f64.const 2))
                     (f64.const 1)))
      (else (local.get $vote))))
    (local.set $a0 (f64.gt (f64.mul (local.get $c0) (local.get $el)) (f64.const 0)))
    (local.set $a1 (f64.gt (f64.mul (local.get $c1) (local.get $el)) (f64.const 0)))
    (local.set $sum (f64.promote_f32 (f32.demote_f64 (f64.add
      (f64.promote_f32 (f32.demote_f64 (f64.add (f64.const 0)
        (f64.mul (f64.convert_i32_u (local.get $a0)) (local.get $c0)))))
      (f64.mul (f64.convert_i32_u (local.get $a1)) (local.get $c1))))))
    (local.set $d (select (select (local.get $d3) (local.get $d2) (local.get $a0))
                          (select (local.get $d1) (local.get $d0) (local.get $a0))
                          (local.get $a1)))
    (f32.store (i32.add (local.get $po) (local.get $off))
      (f32.demote_f64 (f64.add (local.get $b)
        (f64.mul (local.get $lambda) (f64.div (local.get $sum) (local.get $d))))))
    (i32.const 1))

  (func (export "mergePair") (param $n i32) (param $pb i32) (param $p0 i32) (param $p1 i32) (param $po i32)
    (param $w0 f64) (param $w1 f64) (param $t0 f64) (param $t1 f64) (param $lambda f64)
    (param $positive i32) (param $d0 f64) (param $d1 f64) (param $d2 f64) (param $d3 f64)
    (param $e0 f64) (param $e1 f64) (result i32)
    (local $j i32) (local $off i32) (local $quads i32)
    (local $xb v128) (local $tau0 v128) (local $tau1 v128) (local $m0 v128) (local $m1 v128)
    (local $k0 v128) (local $k1 v128) (local $bv v128) (local $xbh v128) (local $k0h v128) (local $k1h v128)
    (local $c0 v128) (local $c1 v128) (local $vote v128) (local $el v128) (local $a0 v128) (local $a1 v128)
    (local $sum v128) (local $d v128) (local $rlow v128) (local $rhigh v128)
    (local $w0v v128) (local $w1v v128) (local $t0v v128) (local $t1v v128) (local $lv v128)
    (local $d0v v128) (local $d1v v128) (local $d2v v128) (local $d3v v128)
    (local $max v128) (local $zero v128) (local $e0v v128) (local $e1v v128)
    (local.set $w0v (f64x2.splat (local.get $w0)))
    (local.set $w1v (f64x2.splat (local.get $w1)))
    (local.set $e0v (f64x2.splat (local.get $e0)))
    (local.set $e1v (f64x2.splat (local.get $e1)))
    ;; The cuts are float32 magnitudes (or -1, or infinity): exact as f32 lanes.
    (local.set $t0v (f32x4.splat (f32.demote_f64 (local.get $t0))))
    (local.set $t1v (f32x4.splat (f32.demote_f64 (local.get $t1))))
    (local.set $lv (f64x2.splat (local.get $lambda)))
    (local.set $d0v (f64x2.splat (local.get $d0)))
    (local.set $d1v (f64x2.splat (local.get $d1)))
    (local.set $d2v (f64x2.splat (local.get $d2)))
    (local.set $d3v (f64x2.splat (local.get $d3)))
    (local.set $max (f32x4.splat (f32.const 3.4028234663852886e38)))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (local.set $quads (i32.and (local.get $n) (i32.const -4)))
    ;; Four positions at a time: τ, its magnitude, the cut and the checks in f32x4 lanes, the rest (which
    ;; rounds through doubles) in two f64x2 halves.
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $quads)))
        (local.set $off (i32.shl (local.get $j) (i32.const 2)))
        (local.set $xb (v128.load (i32.add (local.get $pb) (local.get $off))))
        (local.set $tau0 (f32x4.sub (v128.load (i32.add (local.get $p0) (local.get $off))) (local.get $xb)))
        (local.set $tau1 (f32x4.sub (v128.load (i32.add (local.get $p1) (local.get $off))) (local.get $xb)))
        (local.set $m0 (f32x4.abs (local.get $tau0)))
        (local.set $m1 (f32x4.abs (local.get $tau1)))
        (if (i32.or
              (i32.eqz (i32x4.all_true (v128.and (f32x4.le (local.get $m0) (local.get $max))
                                                 (f32x4.le (local.get $m1) (local.get $max)))))
              (v128.any_true (v128.or (f32x4.eq (local.get $m0) (local.get $t0v))
                                      (f32x4.eq (local.get $m1) (local.get $t1v)))))
          (then
            ;; A tie with a cut or a non-finite value: these four positions the scalar way.
            (if (i32.eqz (call $one (i32.add (local.get $j) (i32.const 0))
                  (local.get $pb) (local.get $p0) (local.get $p1) (local.get $po)
                  (local.get $w0) (local.get $w1) (local.get $t0) (local.get $t1) (local.get $lambda)
                  (local.get $positive) (local.get $d0) (local.get $d1) (local.get $d2) (local.get $d3)
                  (local.get $e0) (local.get $e1)))
              (then (return (i32.const 0))))
            (if (i32.eqz (call $one (i32.add (local.get $j) (i32.const 1))
                  (local.get $pb) (local.get $p0) (local.get $p1) (local.get $po)
                  (local.get $w0) (local.get $w1) (local.get $t0) (local.get $t1) (local.get $lambda)
                  (local.get $positive) (local.get $d0) (local.get $d1) (local.get $d2) (local.get $d3)
                  (local.get $e0) (local.get $e1)))
              (then (return (i32.const 0))))
            (if (i32.eqz (call $one (i32.add (local.get $j) (i32.const 2))
                  (local.get $pb) (local.get $p0) (local.get $p1) (local.get $po)
                  (local.get $w0) (local.get $w1) (local.get $t0) (local.get $t1) (local.get $lambda)
                  (local.get $positive) (local.get $d0) (local.get $d1) (local.get $d2) (local.get $d3)
                  (local.get $e0) (local.get $e1)))
              (then (return (i32.const 0))))
            (if (i32.eqz (call $one (i32.add (local.get $j) (i32.const 3))
                  (local.get $pb) (local.get $p0) (local.get $p1) (local.get $po)
                  (local.get $w0) (local.get $w1) (local.get $t0) (local.get $t1) (local.get $lambda)
                  (local.get $positive) (local.get $d0) (local.get $d1) (local.get $d2) (local.get $d3)
                  (local.get $e0) (local.get $e1)))
              (then (return (i32.const 0))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $next)))
        ;; τ where it is kept, +0 where it is trimmed.
        (local.set $k0 (v128.and (local.get $tau0) (f32x4.gt (local.get $m0) (local.get $t0v))))
        (local.set $k1 (v128.and (local.get $tau1) (f32x4.gt (local.get $m1) (local.get $t1v))))
        ;; Positions j, j + 1, in f64x2 lanes.
        (local.set $bv (f64x2.promote_low_f32x4 (local.get $xb)))
        (local.set $c0 (f64x2.mul (local.get $w0v) (f64x2.promote_low_f32x4 (local.get $k0))))
        (local.set $c1 (f64x2.mul (local.get $w1v) (f64x2.promote_low_f32x4 (local.get $k1))))
        (local.set $vote (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (local.get $zero)
            (f64x2.mul (local.get $e0v) (f64x2.promote_low_f32x4 (local.get $k0))))))
          (f64x2.mul (local.get $e1v) (f64x2.promote_low_f32x4 (local.get $k1)))))))
        (local.set $el (if (result v128) (local.get $positive)
          (then (v128.bitselect (f64x2.splat (f64.const 1)) (f64x2.splat (f64.const -1))
                  (f64x2.ge (local.get $vote) (local.get $zero))))
          (else (local.get $vote))))
        (local.set $a0 (f64x2.gt (f64x2.mul (local.get $c0) (local.get $el)) (local.get $zero)))
        (local.set $a1 (f64x2.gt (f64x2.mul (local.get $c1) (local.get $el)) (local.get $zero)))
        (local.set $sum (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (v128.and (local.get $c0) (local.get $a0)))))
          (v128.and (local.get $c1) (local.get $a1))))))
        (local.set $d (v128.bitselect
          (v128.bitselect (local.get $d3v) (local.get $d2v) (local.get $a0))
          (v128.bitselect (local.get $d1v) (local.get $d0v) (local.get $a0))
          (local.get $a1)))
        (local.set $rlow (f32x4.demote_f64x2_zero (f64x2.add (local.get $bv)
          (f64x2.mul (local.get $lv) (f64x2.div (local.get $sum) (local.get $d))))))
        ;; Positions j + 2, j + 3, moved to the low lanes, in f64x2 lanes.
        (local.set $xbh (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xb) (local.get $xb)))
        (local.set $k0h (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k0) (local.get $k0)))
        (local.set $k1h (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k1) (local.get $k1)))
        (local.set $bv (f64x2.promote_low_f32x4 (local.get $xbh)))
        (local.set $c0 (f64x2.mul (local.get $w0v) (f64x2.promote_low_f32x4 (local.get $k0h))))
        (local.set $c1 (f64x2.mul (local.get $w1v) (f64x2.promote_low_f32x4 (local.get $k1h))))
        (local.set $vote (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add (local.get $zero)
            (f64x2.mul (local.get $e0v) (f64x2.promote_low_f32x4 (local.get $k0h))))))
          (f64x2.mul (local.get $e1v) (f64x2.promote_low_f32x4 (local.get $k1h)))))))
        (local.set $el (if (result v128) (local.get $positive)
          (then (v128.bitselect (f64x2.splat (f64.const 1)) (f64x2.splat (f64.const -1))
                  (f64x2.ge (local.get $vote) (local.get $zero))))
          (else (local.get $vote))))
        (local.set $a0 (f64x2.gt (f64x2.mul (local.get $c0) (local.get $el)) (local.get $zero)))
        (local.set $a1 (f64x2.gt (f64x2.mul (local.get $c1) (local.get $el)) (local.get $zero)))
        (local.set $sum (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (v128.and (local.get $c0) (local.get $a0)))))
          (v128.and (local.get $c1) (local.get $a1))))))
        (local.set $d (v128.bitselect
          (v128.bitselect (local.get $d3v) (local.get $d2v) (local.get $a0))
          (v128.bitselect (local.get $d1v) (local.get $d0v) (local.get $a0))
          (local.get $a1)))
        (local.set $rhigh (f32x4.demote_f64x2_zero (f64x2.add (local.get $bv)
          (f64x2.mul (local.get $lv) (f64x2.div (local.get $sum) (local.get $d))))))
        (v128.store (i32.add (local.get $po) (local.get $off))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $rlow) (local.get $rhigh)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    ;; The last positions, fewer than four.
    (block $end
      (loop $rest
        (br_if $end (i32.ge_u (local.get $j) (local.get $n)))
        (if (i32.eqz (call $one (local.get $j)
              (local.get $pb) (local.get $p0) (local.get $p1) (local.get $po)
              (local.get $w0) (local.get $w1) (local.get $t0) (local.get $t1) (local.get $lambda)
              (local.get $positive) (local.get $d0) (local.get $d1) (local.get $d2) (local.get $d3)
                  (local.get $e0) (local.get $e1)))
          (then (return (i32.const 0))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $rest)))
    (i32.const 1))

  ;; mergeDarePair: dare_ties for two inputs (dareStreams.ts' DareTiesStream, with signConsensusKernel.ts'
  ;; mergePair), four positions at a time: DARE's dropout as dareDropout.ts draws it (the counter before
  ;; the first position's draw in $counter0/$counter1, kept where the draw is below $cutoff, every one
  ;; where $keepAll), the kept differences rescaled in doubles, then the sign election and disjoint merge
  ;; with the election weights equal to the weights. Returns 0 (the caller takes the general path) where
  ;; a dropped task-vector value is subnormal or not finite, as the JavaScript kernel gives up there. The
  ;; slices are padded with zeros to a multiple of four; the positions past $n are written and ignored.
  (func (export "mergeDarePair")
    (param $n i32) (param $pb i32) (param $p0 i32) (param $p1 i32) (param $po i32)
    (param $counter0 i32) (param $counter1 i32) (param $cutoff0 i32) (param $cutoff1 i32)
    (param $keepAll0 i32) (param $keepAll1 i32) (param $rescale0 f64) (param $rescale1 f64)
    (param $w0 f64) (param $w1 f64) (param $lambda f64) (param $positive i32) (param $normalize i32)
    (result i32)
    (local $j i32) (local $off i32)
    (local $cnt0 v128) (local $cnt1 v128) (local $cut0 v128) (local $cut1 v128) (local $all0 v128)
    (local $all1 v128) (local $r0v v128) (local $r1v v128) (local $t v128) (local $keep v128)
    (local $x v128) (local $xh v128) (local $xb v128) (local $xbh v128) (local $bh v128)
    (local $k0 v128) (local $k1 v128) (local $k0h v128) (local $k1h v128) (local $m v128)
    (local $bv v128) (local $u0 v128) (local $u1 v128) (local $c0 v128) (local $c1 v128)
    (local $vote v128) (local $el v128) (local $a0 v128) (local $a1 v128) (local $sum v128) (local $ws v128)
    (local $rlow v128) (local $rhigh v128)
    (local $w0v v128) (local $w1v v128) (local $lv v128) (local $zero v128)
    (local.set $cnt0 (i32x4.add (i32x4.splat (local.get $counter0))
      (v128.const i32x4 0x6d2b79f5 0xda56f3ea 0x47826ddf 0xb4ade7d4)))
    (local.set $cnt1 (i32x4.add (i32x4.splat (local.get $counter1))
      (v128.const i32x4 0x6d2b79f5 0xda56f3ea 0x47826ddf 0xb4ade7d4)))
    (local.set $cut0 (i32x4.splat (local.get $cutoff0)))
    (local.set $cut1 (i32x4.splat (local.get $cutoff1)))
    (local.set $all0 (i32x4.splat (i32.sub (i32.const 0) (local.get $keepAll0))))
    (local.set $all1 (i32x4.splat (i32.sub (i32.const 0) (local.get $keepAll1))))
    (local.set $r0v (f64x2.splat (local.get $rescale0)))
    (local.set $r1v (f64x2.splat (local.get $rescale1)))
    (local.set $w0v (f64x2.splat (local.get $w0)))
    (local.set $w1v (f64x2.splat (local.get $w1)))
    (local.set $lv (f64x2.splat (local.get $lambda)))
    (local.set $zero (f64x2.splat (f64.const 0)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $off (i32.shl (local.get $j) (i32.const 2)))
        (local.set $xb (v128.load (i32.add (local.get $pb) (local.get $off))))
        (local.set $xbh (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $xb) (local.get $xb)))
        (local.set $bh (f64x2.promote_low_f32x4 (local.get $xbh)))
        ;; Input 0: its draws at these positions (the counter, mixed), kept where below the cutoff.
        (local.set $t (i32x4.mul (v128.xor (local.get $cnt0) (i32x4.shr_u (local.get $cnt0) (i32.const 15)))
          (v128.or (local.get $cnt0) (i32x4.splat (i32.const 1)))))
        (local.set $t (v128.xor (local.get $t) (i32x4.add (local.get $t)
          (i32x4.mul (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 7)))
            (v128.or (local.get $t) (i32x4.splat (i32.const 61)))))))
        (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 14))))
        (local.set $keep (v128.or (local.get $all0) (i32x4.lt_u (local.get $t) (local.get $cut0))))
        (local.set $cnt0 (i32x4.add (local.get $cnt0) (i32x4.splat (i32.const 0xb4ade7d4))))
        ;; (x − base) · rescale in doubles, rounded to float32, +0 where dropped.
        (local.set $x (v128.load (i32.add (local.get $p0) (local.get $off))))
        (local.set $xh (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
        (local.set $k0 (v128.and (local.get $keep) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $r0v)
            (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $xb)))))
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $r0v)
            (f64x2.sub (f64x2.promote_low_f32x4 (local.get $xh)) (local.get $bh)))))))
        ;; Input 1: its draws at these positions (the counter, mixed), kept where below the cutoff.
        (local.set $t (i32x4.mul (v128.xor (local.get $cnt1) (i32x4.shr_u (local.get $cnt1) (i32.const 15)))
          (v128.or (local.get $cnt1) (i32x4.splat (i32.const 1)))))
        (local.set $t (v128.xor (local.get $t) (i32x4.add (local.get $t)
          (i32x4.mul (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 7)))
            (v128.or (local.get $t) (i32x4.splat (i32.const 61)))))))
        (local.set $t (v128.xor (local.get $t) (i32x4.shr_u (local.get $t) (i32.const 14))))
        (local.set $keep (v128.or (local.get $all1) (i32x4.lt_u (local.get $t) (local.get $cut1))))
        (local.set $cnt1 (i32x4.add (local.get $cnt1) (i32x4.splat (i32.const 0xb4ade7d4))))
        ;; (x − base) · rescale in doubles, rounded to float32, +0 where dropped.
        (local.set $x (v128.load (i32.add (local.get $p1) (local.get $off))))
        (local.set $xh (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $x) (local.get $x)))
        (local.set $k1 (v128.and (local.get $keep) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $r1v)
            (f64x2.sub (f64x2.promote_low_f32x4 (local.get $x)) (f64x2.promote_low_f32x4 (local.get $xb)))))
          (f32x4.demote_f64x2_zero (f64x2.mul (local.get $r1v)
            (f64x2.sub (f64x2.promote_low_f32x4 (local.get $xh)) (local.get $bh)))))))
        ;; A subnormal or non-finite dropped value: the JavaScript kernel gives up, and so does this.
        (local.set $m (f32x4.abs (local.get $k0)))
        (local.set $t (f32x4.abs (local.get $k1)))
        (if (v128.any_true (v128.or
              (v128.or
                (v128.and (f32x4.gt (local.get $m) (f32x4.splat (f32.const 0)))
                          (f32x4.lt (local.get $m) (f32x4.splat (f32.const 0x1p-126))))
                (v128.and (f32x4.gt (local.get $t) (f32x4.splat (f32.const 0)))
                          (f32x4.lt (local.get $t) (f32x4.splat (f32.const 0x1p-126)))))
              (v128.not (v128.and
                (f32x4.le (local.get $m) (f32x4.splat (f32.const 3.4028234663852886e38)))
                (f32x4.le (local.get $t) (f32x4.splat (f32.const 3.4028234663852886e38)))))))
          (then (return (i32.const 0))))
        (local.set $k0h (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k0) (local.get $k0)))
        (local.set $k1h (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $k1) (local.get $k1)))
        (local.set $bv (f64x2.promote_low_f32x4 (local.get $xb)))
        (local.set $u0 (f64x2.promote_low_f32x4 (local.get $k0)))
        (local.set $u1 (f64x2.promote_low_f32x4 (local.get $k1)))
        (local.set $vote (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (f64x2.mul (local.get $w0v) (local.get $u0)))))
          (f64x2.mul (local.get $w1v) (local.get $u1))))))
        (local.set $el (if (result v128) (local.get $positive)
          (then (v128.bitselect (f64x2.splat (f64.const 1)) (f64x2.splat (f64.const -1))
                  (f64x2.ge (local.get $vote) (local.get $zero))))
          (else (local.get $vote))))
        (local.set $c0 (f64x2.mul (local.get $w0v) (local.get $u0)))
        (local.set $c1 (f64x2.mul (local.get $w1v) (local.get $u1)))
        (local.set $a0 (f64x2.gt (f64x2.mul (local.get $c0) (local.get $el)) (local.get $zero)))
        (local.set $a1 (f64x2.gt (f64x2.mul (local.get $c1) (local.get $el)) (local.get $zero)))
        (local.set $sum (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (v128.and (local.get $c0) (local.get $a0)))))
          (v128.and (local.get $c1) (local.get $a1))))))
        (local.set $ws (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (v128.and (local.get $w0v) (local.get $a0)))))
          (v128.and (local.get $w1v) (local.get $a1))))))
        (local.set $rlow (f32x4.demote_f64x2_zero (f64x2.add (local.get $bv) (f64x2.mul (local.get $lv)
          (if (result v128) (local.get $normalize)
            (then (f64x2.div (local.get $sum) (f64x2.add (local.get $ws)
              (v128.and (f64x2.splat (f64.const 1)) (f64x2.eq (local.get $ws) (local.get $zero))))))
            (else (local.get $sum)))))))
        (local.set $bv (f64x2.promote_low_f32x4 (local.get $xbh)))
        (local.set $u0 (f64x2.promote_low_f32x4 (local.get $k0h)))
        (local.set $u1 (f64x2.promote_low_f32x4 (local.get $k1h)))
        (local.set $vote (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (f64x2.mul (local.get $w0v) (local.get $u0)))))
          (f64x2.mul (local.get $w1v) (local.get $u1))))))
        (local.set $el (if (result v128) (local.get $positive)
          (then (v128.bitselect (f64x2.splat (f64.const 1)) (f64x2.splat (f64.const -1))
                  (f64x2.ge (local.get $vote) (local.get $zero))))
          (else (local.get $vote))))
        (local.set $c0 (f64x2.mul (local.get $w0v) (local.get $u0)))
        (local.set $c1 (f64x2.mul (local.get $w1v) (local.get $u1)))
        (local.set $a0 (f64x2.gt (f64x2.mul (local.get $c0) (local.get $el)) (local.get $zero)))
        (local.set $a1 (f64x2.gt (f64x2.mul (local.get $c1) (local.get $el)) (local.get $zero)))
        (local.set $sum (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (v128.and (local.get $c0) (local.get $a0)))))
          (v128.and (local.get $c1) (local.get $a1))))))
        (local.set $ws (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $zero) (v128.and (local.get $w0v) (local.get $a0)))))
          (v128.and (local.get $w1v) (local.get $a1))))))
        (local.set $rhigh (f32x4.demote_f64x2_zero (f64x2.add (local.get $bv) (f64x2.mul (local.get $lv)
          (if (result v128) (local.get $normalize)
            (then (f64x2.div (local.get $sum) (f64x2.add (local.get $ws)
              (v128.and (f64x2.splat (f64.const 1)) (f64x2.eq (local.get $ws) (local.get $zero))))))
            (else (local.get $sum)))))))
        (v128.store (i32.add (local.get $po) (local.get $off))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $rlow) (local.get $rhigh)))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $next)))
    (i32.const 1))

  (func (export "addSquaredNormsPair") (param $n i32) (param $pb i32) (param $p0 i32) (param $p1 i32)
    (local $end i32) (local $b f64) (local $t0 f64) (local $t1 f64) (local $e0 f64) (local $e1 f64)
    (local.set $e0 (global.get $energy0))
    (local.set $e1 (global.get $energy1))
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
        (local.set $b (f64.promote_f32 (f32.load (local.get $pb))))
        (local.set $t0 (f64.sub (f64.promote_f32 (f32.load (local.get $p0))) (local.get $b)))
        (local.set $t1 (f64.sub (f64.promote_f32 (f32.load (local.get $p1))) (local.get $b)))
        (local.set $e0 (f64.add (local.get $e0) (f64.mul (local.get $t0) (local.get $t0))))
        (local.set $e1 (f64.add (local.get $e1) (f64.mul (local.get $t1) (local.get $t1))))
        (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
        (br $next)))
    (global.set $energy0 (local.get $e0))
    (global.set $energy1 (local.get $e1)))

  (func (export "countHigh") (param $n i32) (param $pb i32) (param $px i32) (param $high i32)
    (local $end i32) (local $at i32)
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
        (local.set $at (i32.add (local.get $high) (i32.shl (i32.shr_u
          (i32.reinterpret_f32 (f32.abs (f32.sub (f32.load (local.get $px)) (f32.load (local.get $pb)))))
          (i32.const 16)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
        (local.set $px (i32.add (local.get $px) (i32.const 4)))
        (br $next))))

  (func (export "countWindowed") (param $n i32) (param $pb i32) (param $px i32) (param $high i32)
    (param $window i32) (param $first i32) (param $buckets i32)
    (local $end i32) (local $a i32) (local $offset i32) (local $at i32)
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
        (local.set $a (i32.reinterpret_f32
          (f32.abs (f32.sub (f32.load (local.get $px)) (f32.load (local.get $pb))))))
        (local.set $at (i32.add (local.get $high)
          (i32.shl (i32.shr_u (local.get $a) (i32.const 16)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $offset (i32.sub (i32.shr_u (local.get $a) (i32.const 16)) (local.get $first)))
        (if (i32.lt_u (local.get $offset) (local.get $buckets))
          (then
            (local.set $at (i32.add (local.get $window) (i32.shl
              (i32.or (i32.shl (local.get $offset) (i32.const 16))
                      (i32.and (local.get $a) (i32.const 0xffff)))
              (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))))
        (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
        (local.set $px (i32.add (local.get $px) (i32.const 4)))
        (br $next))))

  (func (export "countLow") (param $n i32) (param $pb i32) (param $px i32) (param $low i32)
    (param $bucket i32)
    (local $end i32) (local $a i32) (local $at i32)
    (local.set $end (i32.add (local.get $pb) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $pb) (local.get $end)))
        (local.set $a (i32.reinterpret_f32
          (f32.abs (f32.sub (f32.load (local.get $px)) (f32.load (local.get $pb))))))
        (if (i32.eq (i32.shr_u (local.get $a) (i32.const 16)) (local.get $bucket))
          (then
            (local.set $at (i32.add (local.get $low)
              (i32.shl (i32.and (local.get $a) (i32.const 0xffff)) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))))
        (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
        (local.set $px (i32.add (local.get $px) (i32.const 4)))
        (br $next))))

  (func (export "countVarianceHigh") (param $n i32) (param $p0 i32) (param $p1 i32) (param $high i32)
    (result i32)
    (local $end i32) (local $d f64) (local $mean f64) (local $v f32) (local $at i32) (local $positive i32)
    (local.set $end (i32.add (local.get $p0) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p0) (local.get $end)))
        (local.set $d (f64.sub (f64.promote_f32 (f32.load (local.get $p1)))
                               (f64.promote_f32 (f32.load (local.get $p0)))))
        (local.set $v (f32.demote_f64 (f64.max (f64.const 0) (f64.sub
          (f64.div (f64.add (f64.const 0) (f64.mul (local.get $d) (local.get $d))) (f64.const 2))
          (f64.mul (local.tee $mean (f64.div (f64.add (f64.const 0) (local.get $d)) (f64.const 2)))
                   (local.get $mean))))))
        (local.set $positive (i32.add (local.get $positive) (f32.ne (local.get $v) (f32.const 0))))
        (local.set $at (i32.add (local.get $high) (i32.shl (i32.shr_u
          (i32.reinterpret_f32 (f32.abs (local.get $v))) (i32.const 16)) (i32.const 2))))
        (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
        (br $next)))
    (local.get $positive))

  (func (export "countVarianceLow") (param $n i32) (param $p0 i32) (param $p1 i32) (param $low i32)
    (param $bucket i32)
    (local $end i32) (local $d f64) (local $mean f64) (local $a i32) (local $at i32)
    (local.set $end (i32.add (local.get $p0) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p0) (local.get $end)))
        (local.set $d (f64.sub (f64.promote_f32 (f32.load (local.get $p1)))
                               (f64.promote_f32 (f32.load (local.get $p0)))))
        (local.set $a (i32.reinterpret_f32 (f32.abs (f32.demote_f64 (f64.max (f64.const 0) (f64.sub
          (f64.div (f64.add (f64.const 0) (f64.mul (local.get $d) (local.get $d))) (f64.const 2))
          (f64.mul (local.tee $mean (f64.div (f64.add (f64.const 0) (local.get $d)) (f64.const 2)))
                   (local.get $mean))))))))
        (if (i32.eq (i32.shr_u (local.get $a) (i32.const 16)) (local.get $bucket))
          (then
            (local.set $at (i32.add (local.get $low)
              (i32.shl (i32.and (local.get $a) (i32.const 0xffff)) (i32.const 2))))
            (i32.store (local.get $at) (i32.add (i32.load (local.get $at)) (i32.const 1)))))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
        (br $next))))

  (func (export "selectPair") (param $n i32) (param $pb i32) (param $p0 i32) (param $p1 i32) (param $cut i32)
    (local $end i32) (local $d f64) (local $mean f64) (local $a i32) (local $keep i32)
    (local.set $end (i32.add (local.get $p0) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p0) (local.get $end)))
        (local.set $d (f64.sub (f64.promote_f32 (f32.load (local.get $p1)))
                               (f64.promote_f32 (f32.load (local.get $p0)))))
        (local.set $a (i32.reinterpret_f32 (f32.abs (f32.demote_f64 (f64.max (f64.const 0) (f64.sub
          (f64.div (f64.add (f64.const 0) (f64.mul (local.get $d) (local.get $d))) (f64.const 2))
          (f64.mul (local.tee $mean (f64.div (f64.add (f64.const 0) (local.get $d)) (f64.const 2)))
                   (local.get $mean))))))))
        (local.set $keep (i32.gt_s (local.get $a) (local.get $cut)))
        (if (i32.and (i32.eq (local.get $a) (local.get $cut))
                     (f64.gt (global.get $selectBudget) (f64.const 0)))
          (then (global.set $selectBudget (f64.sub (global.get $selectBudget) (f64.const 1)))
                (local.set $keep (i32.const 1))))
        (if (i32.eqz (local.get $keep))
          (then (f32.store (local.get $p0) (f32.load (local.get $pb)))
                (f32.store (local.get $p1) (f32.load (local.get $pb)))))
        (local.set $pb (i32.add (local.get $pb) (i32.const 4)))
        (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
        (local.set $p1 (i32.add (local.get $p1) (i32.const 4)))
        (br $next))))
)
