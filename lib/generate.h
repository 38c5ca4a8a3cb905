/* generate.h - a random starting configuration of the IPL model. */
#ifndef TK_GENERATE_H
#define TK_GENERATE_H

#include <stdint.h>

#include "frame.h"
#include "minimize.h"

/* N diameters from P(sigma) ~ 1/sigma^3, uniform positions in a cubic box of
 * density rho centred on the origin, then (if ftol > 0) overlaps removed by
 * FIRE to max |F| <= ftol.  Dies with a message on failure (box too small,
 * no convergence). */
void tk_generate(tk_frame *f, long n, double rho, uint64_t seed, double ftol);

#endif
