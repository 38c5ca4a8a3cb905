/* simd.h - run-time choice of the SIMD kernels.
 *
 * The default build targets any x86-64 (SSE2); kernels for wider vectors
 * are compiled with __attribute__((target(...))) and chosen at run time
 * from the CPU's features.  Every SIMD kernel gives results bit-identical
 * to its scalar twin (same operations in the same order per lane, fixed
 * reductions, no FMA contraction), so the choice changes the speed only.
 *
 * TLSKIT_SIMD=none|avx2|avx512 caps the level (read once per program):
 * `none` forces the scalar kernels, e.g. to check the bit-identity.
 */
#ifndef TK_SIMD_H
#define TK_SIMD_H

#include <stdlib.h>
#include <string.h>

enum { TK_SIMD_NONE = 0, TK_SIMD_AVX2 = 1, TK_SIMD_AVX512 = 2 };

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define TK_SIMD_X86 1
#else
#define TK_SIMD_X86 0
#endif

/* The level to use: the CPU's best, capped by TLSKIT_SIMD.  Cached in a
 * static of each translation unit (the environment is read once there). */
static inline int tk_simd_level(void)
{
    static int level = -1;
    if (level >= 0)
        return level;
    int cpu = TK_SIMD_NONE;
#if TK_SIMD_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2"))
        cpu = TK_SIMD_AVX2;
    if (cpu == TK_SIMD_AVX2 && __builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq"))
        cpu = TK_SIMD_AVX512;
#endif
    const char *env = getenv("TLSKIT_SIMD");
    int cap = TK_SIMD_AVX512;
    if (env && *env) {
        if (strcmp(env, "none") == 0 || strcmp(env, "scalar") == 0 || strcmp(env, "0") == 0)
            cap = TK_SIMD_NONE;
        else if (strcmp(env, "avx2") == 0)
            cap = TK_SIMD_AVX2;
    }
    level = cpu < cap ? cpu : cap;
    return level;
}

#endif
