# Paper scale (tlskit-physics(7); Khomenko et al.): N = 1500, three Tf, 15 / 50 /
# 200 glasses, up to 200 isoconfigurational runs per glass.  Days to weeks of
# CPU: run with make -j on a big node, or LAUNCH="srun -n1 -c1" on a cluster.
N = 1500
TFS = 0.092 0.07 0.062
T_MD = 0.04
EQ_0.092 = 1000000
EQ_0.07 = 5000000
EQ_0.062 = 20000000
SPACING = 1000000
GLASSES_0.092 = 15
GLASSES_0.07 = 50
GLASSES_0.062 = 200
GLASSES = 15
RUNS = 200
RUN_TIME = 100
MIN_EVERY = 1
QUENCH_TIME = 10
PAIR_OPTS = --max-de 0.02 --max-dist 1
NEB_CHUNKS = 8
MASS = 4000,27504
SEED = 1
# SLURM requests per stage (SLURM=1, pipelines/slurm/): cores, memory, time
# limit of each heavy step's job (single-threaded programs).  From the costs
# measured at N = 1500 (results/README.md): the Tf = 0.062 chain is 2.2e8
# sweeps, about 24 h at 2500 sweeps/s (0.07: 6 h, 0.092: 2 h); a chain that
# runs out of time checkpoints on SLURM's SIGTERM and the next make resumes
# it.  A run of 100 time units is 25-40 CPU-s.  A glass's paths cost per 10
# runs about 3 CPU-min of neb-ci and 1.5-10 of dwp-split (Tf = 0.092),
# growing with the runs: at 200 runs about an hour of NEB per glass (8
# chunks) and hours of dwp-split (at most 2e6 force evaluations, 90 s, per
# pair).
SLURM_chain = --cpus-per-task=1 --mem=1G --time=2-00:00:00
SLURM_quench = --cpus-per-task=1 --mem=1G --time=2:00:00
SLURM_sample = --cpus-per-task=1 --mem=1G --time=0:30:00
SLURM_neb = --cpus-per-task=1 --mem=2G --time=4:00:00
SLURM_split = --cpus-per-task=1 --mem=4G --time=24:00:00
