# Demo scale: the whole pipeline in minutes on 2 cores.  Small glasses
# (N = 250), short chains: the low-Tf glass is NOT equilibrated at this scale
# (Tf = 0.062 needs ~1e7 sweeps at N = 1500), and few DWPs make n(E)/E noisy.
N = 250
TFS = 0.092 0.07
T_MD = 0.04
# swap MC: equilibration sweeps, then one glass every SPACING sweeps
EQ_0.092 = 50000
EQ_0.07 = 150000
SPACING = 10000
GLASSES = 8
# landscape exploration: runs per glass, MD time per run, minimise every
RUNS = 8
RUN_TIME = 50
MIN_EVERY = 0.5
QUENCH_TIME = 2
# pairs and paths
PAIR_OPTS = --max-de 0.05 --max-dist 1
NEB_CHUNKS = 2
MASS = 4000
SEED = 1
# SLURM requests per stage (SLURM=1, pipelines/slurm/): cores, memory, time
# limit of each heavy step's job (every program is single-threaded)
SLURM_chain = --cpus-per-task=1 --mem=500M --time=1:00:00
SLURM_quench = --cpus-per-task=1 --mem=500M --time=0:30:00
SLURM_sample = --cpus-per-task=1 --mem=500M --time=0:30:00
SLURM_neb = --cpus-per-task=1 --mem=500M --time=1:00:00
SLURM_split = --cpus-per-task=1 --mem=500M --time=1:00:00
