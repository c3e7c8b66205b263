#ifndef PULK_CPU_H
#define PULK_CPU_H

/// 1 when this CPU (and the OS, which must save the wide registers) supports every instruction the
/// compiler may choose for `-target-cpu skylake-avx512` in plain code (AVX-512 F/BW/CD/DQ/VL on top of
/// AVX2, BMI1/2, FMA, F16C, LZCNT, POPCNT, MOVBE; the level x86-64-v4), else 0; always 0 on other
/// architectures.
int pulk_cpu_avx512(void);

#endif
