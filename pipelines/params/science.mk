# Science scale: the measurement of results/ (N = 1500, the model of the
# published study) sized for a 2-core workstation over a few sessions.
# Tf = 0.092 starts from random positions; Tf = 0.07 starts from a published
# inherent structure of a glass equilibrated at Tf = 0.062 (tests/data/reference),
# heated to 0.07 by the chain itself: equilibrium at 0.07 is approached from
# below, which costs about one relaxation time instead of the ageing of a
# random start.  The energy trace of the chain frames shows the approach.
# Tf = 0.062 starts from the same published glass, at its own fictive
# temperature: the chain starts in equilibrium (as far as the published
# preparation reached it) and only has to move away from the start.
# The measurement of results/ ran 4 glasses per Tf first, then extended
# both chains (the pipeline extends a chain and explores only the new
# glasses): 12 glasses at Tf = 0.092, 80 at 0.07 and 80 at 0.062, all
# finished (0.062: 40 first, then its chain extended and 41-80 explored).
N = 1500
TFS = 0.092 0.07 0.062
T_MD = 0.04
EQ_0.092 = 200000
EQ_0.07 = 200000
EQ_0.062 = 200000
SPACING = 100000
START_0.07 = $(TOP)/tests/data/reference/2.044404608E-01.conf.txt
START_0.062 = $(TOP)/tests/data/reference/2.044404608E-01.conf.txt
GLASSES_0.092 = 12
GLASSES_0.07 = 80
GLASSES_0.062 = 80
GLASSES = 8
# exploration depth: chosen from the growth curves (results/README.md)
RUNS = 10
RUN_TIME = 100
MIN_EVERY = 1
QUENCH_TIME = 10
PAIR_OPTS = --max-de 0.02 --max-dist 1
NEB_CHUNKS = 2
MASS = 4000,27504
SEED = 1
# SLURM requests per stage (SLURM=1, pipelines/slurm/): cores, memory, time
# limit of each heavy step's job, from the costs measured (results/README.md):
# a chain here is 1.4e6 sweeps (10 min at 2500 sweeps/s), a run 25-40 CPU-s,
# a glass's paths a few CPU minutes (single-threaded programs)
SLURM_chain = --cpus-per-task=1 --mem=1G --time=4:00:00
SLURM_quench = --cpus-per-task=1 --mem=1G --time=1:00:00
SLURM_sample = --cpus-per-task=1 --mem=1G --time=0:30:00
SLURM_neb = --cpus-per-task=1 --mem=2G --time=4:00:00
SLURM_split = --cpus-per-task=1 --mem=2G --time=8:00:00
