/* rng.c - xoshiro256** (Blackman and Vigna) with splitmix64 seeding. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void tk_rng_seed(tk_rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int k = 0; k < 4; k++)
        r->s[k] = splitmix64(&x);
}

void tk_rng_seed2(tk_rng *r, uint64_t seed, uint64_t k)
{
    uint64_t x = seed;
    uint64_t mixed = splitmix64(&x) ^ (k * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL);
    tk_rng_seed(r, mixed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t tk_rng_u64(tk_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double tk_rng_uniform(tk_rng *r)
{
    return (double)(tk_rng_u64(r) >> 11) * 0x1.0p-53;
}

uint64_t tk_rng_below(tk_rng *r, uint64_t n)
{
    /* rejection keeps every value exactly equally likely */
    uint64_t lim = UINT64_MAX - UINT64_MAX % n, x;
    do
        x = tk_rng_u64(r);
    while (x >= lim);
    return x % n;
}

double tk_rng_normal(tk_rng *r)
{
    double u, v, s;
    do {
        u = 2 * tk_rng_uniform(r) - 1;
        v = 2 * tk_rng_uniform(r) - 1;
        s = u * u + v * v;
    } while (s >= 1 || s == 0);
    return u * sqrt(-2 * log(s) / s);
}
