# Tiny scale for the test suite: every stage runs, in seconds.
N = 150
TFS = 0.2 0.15
T_MD = 0.04
EQ_0.2 = 400
EQ_0.15 = 400
SPACING = 200
GLASSES = 2
RUNS = 2
RUN_TIME = 3
MIN_EVERY = 0.5
QUENCH_TIME = 1
PAIR_OPTS = --max-de 10 --max-dist 1
NEB_CHUNKS = 2
MASS = 4000
SEED = 1
# SLURM requests per stage (SLURM=1, pipelines/slurm/): cores, memory, time
# limit of each heavy step's job; sized for the test's one-node SLURM
SLURM_chain = --cpus-per-task=1 --mem=200M --time=0:10:00
SLURM_quench = --cpus-per-task=1 --mem=200M --time=0:10:00
SLURM_sample = --cpus-per-task=1 --mem=200M --time=0:10:00
SLURM_neb = --cpus-per-task=1 --mem=200M --time=0:10:00
SLURM_split = --cpus-per-task=1 --mem=200M --time=0:10:00
