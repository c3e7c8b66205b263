#ifndef PULK_CPU_H
#define PULK_CPU_H

/// 1 when this CPU (and the OS, which must save the wide registers) supports every instruction the
/// compiler may choose for `-target-cpu skylake-avx512` in plain code (AVX-512 F/BW/CD/DQ/VL on top of
/// AVX2, BMI1/2, FMA, F16C, LZCNT, POPCNT, MOVBE; the level x86-64-v4), else 0; always 0 on other
/// architectures.
int pulk_cpu_avx512(void);

/// Asks the CPU to start loading the `lines` cache lines (64 bytes each) from `p`, for a loop that
/// knows which scattered memory it reads next (Swift has no prefetch of its own).
static inline void pulk_prefetch(const void *p, int lines) {
    for (int i = 0; i < lines; i++) __builtin_prefetch((const char *)p + 64 * i, 0, 3);
}

#endif
