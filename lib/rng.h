/* rng.h - xoshiro256** random numbers, seeded through splitmix64.
 *
 * Every random stream in tlskit comes from an explicit --seed; the state is
 * plain data so that checkpoints can save and restore it exactly.
 */
#ifndef TK_RNG_H
#define TK_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} tk_rng;

void tk_rng_seed(tk_rng *r, uint64_t seed);
/* An independent stream for sub-task k (e.g. run k of a glass). */
void tk_rng_seed2(tk_rng *r, uint64_t seed, uint64_t k);
uint64_t tk_rng_u64(tk_rng *r);
/* Uniform in [0, 1), 53 random bits. */
double tk_rng_uniform(tk_rng *r);
/* Uniform integer in [0, n). */
uint64_t tk_rng_below(tk_rng *r, uint64_t n);
/* Standard normal deviate (polar Box-Muller, no cached spare: stateless
 * apart from s[], so a checkpoint of s[] is the whole state). */
double tk_rng_normal(tk_rng *r);

#endif
