# pipelines/tls.mk - the TLS pipeline, one directory per Tf and per glass:
#
#   make -f pipelines/tls.mk SCALE=demo OUT=demo -j2
#
#   ipl-swapmc -> md-quench -> is-sample (per run) -> is-merge -> pair-select
#   -> neb-ci --bands (per chunk of pairs) -> dwp-split -> schrod1d
#   then tls-density per Tf and the figures across Tf: n(E)/E (nE.png) and
#   n0 against Tf (n0.png).
#   make ... heat: the specific heat C(T) per Tf (tls-heat: the TLS term
#   against the harmonic term of the modes of each minimised glass,
#   conf-modes --modes) and the C/T figure heat.png; not part of `all`
#   (N = 1500: about a CPU minute per glass for the eigenvectors).
#
# Parameters: pipelines/params/$(SCALE).mk (any variable can be overridden on
# the command line).  Every heavy command is prefixed by $(LAUNCH), empty by
# default: LAUNCH="srun -n1 -c1" runs each on a cluster node; SLURM=1 makes
# each a SLURM batch job of its own (pipelines/slurm/, README).  Outputs are
# atomic (the programs' -o, or .tmp + mv), failed targets are deleted
# (.DELETE_ON_ERROR), every step's stderr goes to FILE.log beside FILE, and
# make again redoes only what is missing or out of date.  Each stage records
# its parameters in a stamp file (Tf*/.stamps/STAGE): a changed parameter
# (MASS=30000, say) redoes exactly the stages that depend on it, a deleted
# file is made again with what depends on it.  Recipes run under bash with
# pipefail, and a failing step prints the end of its log.  The swap-MC chain
# checkpoints and resumes by itself.  To swap a stage for another tool, produce the same
# file (e.g. Tf0.07/glasses.xyz from LAMMPS runs; see README.md).

SCALE ?= demo
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
include $(TOP)/pipelines/params/$(SCALE).mk
OUT ?= $(SCALE)
BIN ?= $(TOP)/bin
LAUNCH ?=
# the prefix of a stage's heavy command (stages chain quench sample neb split;
# stdin: it reads a pipe): LAUNCH_<stage> if given; else with SLURM=1 a batch
# job of its own asking for $(SLURM_OPTS) $(SLURM_<stage>) (the parameter
# file's cores, memory, time), make waiting for it (pipelines/slurm/job);
# else $(LAUNCH)
launch = $(or $(LAUNCH_$(1)),$(if $(filter 1,$(SLURM)),$(TOP)/pipelines/slurm/job $(if $(2),--stdin) $(1) \
  $(SLURM_OPTS) $(SLURM_$(1)) --,$(LAUNCH)))
GNUPLOT ?= gnuplot
# dwp-split also keeps the two minima of every DWP with dV <= MINIMA_DV
# (gK/dwp-minima.bin, for tls-snapshot and pipelines/defects.sh): 0.002 holds
# the TLS of mass 3200 and above whose splitting is at least their asymmetry;
# the science run also found TLS (splitting E2 - E1 < 2 pi/4000) with dV up to
# 0.008 (E < dV: the wells' zero-point energies, schrod1d's asym); those of split paths have no minima
# frames then (defects.sh counts them apart).  A larger value keeps them,
# at about 100 KB per DWP kept.  Not in the split stamp: changing it does
# not redo the (long) split of the glasses already done.
MINIMA_DV ?= 0.002
export PATH := $(BIN):$(PATH)
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.DELETE_ON_ERROR:
.PHONY: all figure summary heat

# A step's stderr goes to TARGET.log; when it fails, show why.
fail = { echo "tls.mk: making $(1) failed; the end of $(1).log:" >&2; tail -n 8 $(1).log >&2; exit 1; }

# stamp FILE CONTENT: FILE holds a stage's parameters; rewritten (new
# mtime) only when they change.  A stamp made for the first time is dated
# 1970, so that adding stamps to an existing run redoes nothing.  Stamps are
# written when the makefile is read, so a dry run (make -n) with other
# parameters records them too: the next run compares against those.
stamp = $(shell f='$(1)'; c='$(2)'; mkdir -p "$${f%/*}"; \
  if [ ! -e "$$f" ]; then printf '%s\n' "$$c" > "$$f" && touch -d @0 "$$f"; \
  elif [ "$$(cat "$$f")" != "$$c" ]; then printf '%s\n' "$$c" > "$$f"; fi)

# per Tf: number of glasses (GLASSES_<tf> or GLASSES)
glasses = $(or $(GLASSES_$(1)),$(GLASSES))
glass_ids = $(shell seq 1 $(call glasses,$(1)))
run_ids = $(shell seq 0 $$(($(RUNS) - 1)))
chunk_ids = $(shell seq 0 $$(($(NEB_CHUNKS) - 1)))

# the run ends with a summary table (written when anything changed;
# make summary prints it again)
all: $(OUT)/summary.txt

$(OUT)/summary.txt: $(OUT)/nE.png $(OUT)/n0.png $(OUT)/hist.png $(OUT)/pr.png $(OUT)/tls.tsv \
                    $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/growth.tsv $(OUT)/Tf$(tf)/defects.tsv)
	@$(TOP)/pipelines/summary.sh $(OUT) $(TFS) > $@.tmp && mv $@.tmp $@ && cat $@

summary: $(OUT)/summary.txt
	@cat $<

figure: $(OUT)/nE.png $(OUT)/n0.png $(OUT)/hist.png $(OUT)/pr.png $(OUT)/tls.tsv growth

comma := ,
mass1 = $(firstword $(subst $(comma), ,$(MASS)))

# growth of the exploration with the number of runs, per glass and per Tf
.PHONY: growth
growth: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/growth.tsv)

# ---- per Tf ----
define TF_RULES
$(call stamp,$(OUT)/Tf$(1)/.stamps/chain,N=$(N) START=$(notdir $(START_$(1))) SEED=$(SEED) SWEEPS=$(shell echo $$(($(EQ_$(1)) + $(call glasses,$(1)) * $(SPACING)))) SPACING=$(SPACING))
$(call stamp,$(OUT)/Tf$(1)/.stamps/glasses,EQ=$(EQ_$(1)) SPACING=$(SPACING) T_MD=$(T_MD) QUENCH_TIME=$(QUENCH_TIME) SEED=$(SEED))
$(call stamp,$(OUT)/Tf$(1)/.stamps/sample,T_MD=$(T_MD) RUN_TIME=$(RUN_TIME) MIN_EVERY=$(MIN_EVERY) SEED=$(SEED) SAMPLE_OPTS=$(SAMPLE_OPTS))
$(call stamp,$(OUT)/Tf$(1)/.stamps/merge,RUNS=$(RUNS))
$(call stamp,$(OUT)/Tf$(1)/.stamps/pairs,PAIR_OPTS=$(PAIR_OPTS))
$(call stamp,$(OUT)/Tf$(1)/.stamps/neb,NEB_CHUNKS=$(NEB_CHUNKS) NEB_OPTS=$(NEB_OPTS))
$(call stamp,$(OUT)/Tf$(1)/.stamps/split,SPLIT_OPTS=$(SPLIT_OPTS))
$(call stamp,$(OUT)/Tf$(1)/.stamps/schrod,MASS=$(MASS))
$(call stamp,$(OUT)/Tf$(1)/.stamps/density,N=$(N) GLASSES=$(call glasses,$(1)) MASS=$(MASS))

# what made this Tf: every stage's parameters and the program versions
$(OUT)/Tf$(1)/params.txt: $(wildcard $(OUT)/Tf$(1)/.stamps/*)
	@mkdir -p $$(@D)
	@{ echo "# tlskit pipeline, scale $(SCALE), Tf $(1)"; \
	  for f in $(OUT)/Tf$(1)/.stamps/*; do echo "$$$${f##*/}: $$$$(cat $$$$f)"; done; \
	  for p in ipl-swapmc md-quench is-sample is-merge pair-select neb-ci dwp-split schrod1d tls-density \
	    conf-modes tls-heat; do \
	    $$$$p --version; done; } > $$@.tmp && mv $$@.tmp $$@

# a finished chain is kept if make is interrupted as it ends (with SLURM=1 make
# learns of a job's end seconds later): its checkpoint is finished too, and
# would not resume without its output
.PRECIOUS: $(OUT)/Tf$(1)/chain.xyz

# the swap-MC chain: equilibrate, then one frame every SPACING sweeps; from
# N random particles (the deterministic diameter set), or from the frame
# START_<tf> when the parameters give one (an already equilibrated glass)
$(OUT)/Tf$(1)/chain.xyz: $(OUT)/Tf$(1)/.stamps/chain | $(OUT)/Tf$(1)/params.txt
	cd $$(@D) && if [ -e chain.ckpt ]; then \
	  $(call launch,chain) ipl-swapmc --resume chain.ckpt --sweeps $$$$(($(EQ_$(1)) + $(call glasses,$(1)) * $(SPACING))) \
	    --checkpoint chain.ckpt --progress -o chain.xyz 2>> chain.xyz.log; \
	else \
	  $(call launch,chain) ipl-swapmc $(if $(START_$(1)),$(START_$(1)),-N $(N)) -T $(1) --seed $(SEED) \
	    --sweeps $$$$(($(EQ_$(1)) + $(call glasses,$(1)) * $(SPACING))) --every $(SPACING) \
	    --checkpoint chain.ckpt --progress -o chain.xyz 2> chain.xyz.log; \
	fi || $(call fail,$$@)

# quench the glasses (the frames after equilibration) to T_MD
$(OUT)/Tf$(1)/glasses.xyz: $(OUT)/Tf$(1)/chain.xyz $(OUT)/Tf$(1)/.stamps/glasses
	conf-convert --frames $$$$(($(EQ_$(1)) / $(SPACING) + 1)):$$$$(($(EQ_$(1)) / $(SPACING) + $(call glasses,$(1)))) $$< | \
	  $(call launch,quench,stdin) md-quench -T $(T_MD) --time $(QUENCH_TIME) --seed $(SEED) -o $$@ 2> $$@.log || $(call fail,$$@)

$(OUT)/Tf$(1)/density.tsv: $(foreach g,$(call glass_ids,$(1)),$(OUT)/Tf$(1)/g$(g)/tls.tsv) $(OUT)/Tf$(1)/.stamps/density
	tls-density -N $(N) --glasses $(call glasses,$(1)) --curve $(OUT)/Tf$(1)/curve.tsv \
	  --hist $(OUT)/Tf$(1)/hist.tsv --mass $(MASS) $(foreach g,$(call glass_ids,$(1)),$(OUT)/Tf$(1)/g$(g)/tls.tsv) \
	  > $$@.tmp 2> $$@.log && mv $$@.tmp $$@ || $(call fail,$$@)

# the specific heat: the TLS term of the DWPs against the harmonic term of
# the modes, per particle (tls-heat); heat-summary.tsv: the crossover
# distinct defects among the active TLS (first mass): the TLS of one glass
# whose displacement fields overlap are one defect (pipelines/defects.sh)
$(OUT)/Tf$(1)/defects.tsv: $(foreach g,$(call glass_ids,$(1)),$(OUT)/Tf$(1)/g$(g)/tls.tsv) $(OUT)/Tf$(1)/.stamps/density
	$(TOP)/pipelines/defects.sh $(OUT)/Tf$(1) $(mass1) $(call glasses,$(1)) > $$@.tmp 2> $$@.log && mv $$@.tmp $$@ \
	  || $(call fail,$$@)

$(OUT)/Tf$(1)/heat.tsv: $(foreach g,$(call glass_ids,$(1)),$(OUT)/Tf$(1)/g$(g)/tls.tsv $(OUT)/Tf$(1)/g$(g)/modes.tsv) \
                        $(OUT)/Tf$(1)/.stamps/density
	tls-heat -N $(N) --glasses $(call glasses,$(1)) --mass $(MASS) --summary $(OUT)/Tf$(1)/heat-summary.tsv \
	  $(foreach g,$(call glass_ids,$(1)),-M $(OUT)/Tf$(1)/g$(g)/modes.tsv) \
	  $(foreach g,$(call glass_ids,$(1)),$(OUT)/Tf$(1)/g$(g)/tls.tsv) -o $$@ 2> $$@.log || $(call fail,$$@)

# summed over the glasses (e_is averaged)
$(OUT)/Tf$(1)/growth.tsv: $(foreach g,$(call glass_ids,$(1)),$(OUT)/Tf$(1)/g$(g)/growth.tsv)
	awk -F'\t' '!/^#/ { m[$$$$1] += $$$$2; p[$$$$1] += $$$$3; q[$$$$1] += $$$$4; d[$$$$1] += $$$$5; \
	    t[$$$$1] += $$$$6; e[$$$$1] += $$$$7; n[$$$$1]++; if ($$$$1 > R) R = $$$$1 } \
	  END { print "#R\tglasses\tminima\tpairs\tnew_pairs\tdwps\ttls\te_is"; \
	    for (r = 1; r <= R; r++) printf "%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.10f\n", \
	      r, n[r], m[r], p[r], q[r], d[r], t[r], e[r] / n[r] }' $$^ > $$@.tmp && mv $$@.tmp $$@

$(foreach g,$(call glass_ids,$(1)),$(eval $(call GLASS_RULES,$(1),$(g))))
endef

# ---- per glass ----
define GLASS_RULES
# rewritten only when it changes: adding glasses to a Tf (a longer chain, a
# new glasses.xyz) redoes nothing for the glasses already explored
$(OUT)/Tf$(1)/g$(2)/glass.xyz: $(OUT)/Tf$(1)/glasses.xyz
	@mkdir -p $$(@D)
	conf-convert --frames $(2):$(2) -o $$@.new $$< && { cmp -s $$@.new $$@ && rm $$@.new || mv $$@.new $$@; }

$(foreach r,$(run_ids),$(eval $(call RUN_RULES,$(1),$(2),$(r))))

$(OUT)/Tf$(1)/g$(2)/minima.bin: $(foreach r,$(run_ids),$(OUT)/Tf$(1)/g$(2)/run$(r).bin) $(OUT)/Tf$(1)/.stamps/merge
	is-merge --transitions $(OUT)/Tf$(1)/g$(2)/transitions.tsv -o $$@ \
	  $$(foreach r,$(run_ids),$(OUT)/Tf$(1)/g$(2)/run$$(r).bin $(OUT)/Tf$(1)/g$(2)/run$$(r).tsv) 2> $$@.log \
	  || $(call fail,$$@)

$(OUT)/Tf$(1)/g$(2)/pairs.xyz: $(OUT)/Tf$(1)/g$(2)/minima.bin $(OUT)/Tf$(1)/.stamps/pairs
	pair-select --transitions $(OUT)/Tf$(1)/g$(2)/transitions.tsv $(PAIR_OPTS) \
	  --table $(OUT)/Tf$(1)/g$(2)/pairs.tsv -o $$@ $$< 2> $$@.log || $(call fail,$$@)

$(foreach c,$(chunk_ids),$(eval $(call CHUNK_RULES,$(1),$(2),$(c))))

$(OUT)/Tf$(1)/g$(2)/dwps.txt: $(foreach c,$(chunk_ids),$(OUT)/Tf$(1)/g$(2)/bands$(c).bin) $(OUT)/Tf$(1)/.stamps/split
	cat $(foreach c,$(chunk_ids),$(OUT)/Tf$(1)/g$(2)/bands$(c).bin) | \
	  $(call launch,split,stdin) dwp-split --allow-empty $(SPLIT_OPTS) --progress --summary $(OUT)/Tf$(1)/g$(2)/split.tsv \
	    --minima $(OUT)/Tf$(1)/g$(2)/dwp-minima.bin --minima-dv $(MINIMA_DV) -o $$@ 2> $$@.log \
	  || $(call fail,$$@)

$(OUT)/Tf$(1)/g$(2)/tls.tsv: $(OUT)/Tf$(1)/g$(2)/dwps.txt $(OUT)/Tf$(1)/.stamps/schrod
	schrod1d --allow-empty --mass $(MASS) -o $$@ $$< 2> $$@.log || $(call fail,$$@)

# the normal modes of the glass's inherent structure (glass.xyz is the glass
# at T_MD, not a minimum: minimised first; frequencies and participation
# ratios, conf-modes --modes)
$(OUT)/Tf$(1)/g$(2)/modes.tsv: $(OUT)/Tf$(1)/g$(2)/glass.xyz
	md-quench -T $(T_MD) --minimize $$< 2> $$@.log | $(LAUNCH) conf-modes --modes -o $$@ 2>> $$@.log \
	  || $(call fail,$$@)

$(OUT)/Tf$(1)/g$(2)/growth.tsv: $(OUT)/Tf$(1)/g$(2)/tls.tsv $(OUT)/Tf$(1)/g$(2)/minima.bin
	$(TOP)/pipelines/growth.sh $(OUT)/Tf$(1)/g$(2) $(RUNS) $(mass1) > $$@.tmp 2> $$@.log && mv $$@.tmp $$@ \
	  || $(call fail,$$@)
endef

define RUN_RULES
$(OUT)/Tf$(1)/g$(2)/run$(3).bin: $(OUT)/Tf$(1)/g$(2)/glass.xyz $(OUT)/Tf$(1)/.stamps/sample
	$(call launch,sample) is-sample -T $(T_MD) --first-run $(3) --runs 1 --time $(RUN_TIME) --every $(MIN_EVERY) \
	  --seed $(SEED) $(SAMPLE_OPTS) --progress --transitions $(OUT)/Tf$(1)/g$(2)/run$(3).tsv -o $$@ $$< \
	  2> $$@.log || $(call fail,$$@)
endef

define CHUNK_RULES
$(OUT)/Tf$(1)/g$(2)/bands$(3).bin: $(OUT)/Tf$(1)/g$(2)/pairs.xyz $(OUT)/Tf$(1)/.stamps/neb
	$(call launch,neb) neb-ci --bands --allow-empty $(NEB_OPTS) --progress --chunk $(3)/$(NEB_CHUNKS) -o $$@ $$< 2> $$@.log \
	  || $(call fail,$$@)
endef

$(foreach tf,$(TFS),$(eval $(call TF_RULES,$(tf))))

# ---- across Tf ----
$(OUT)/nE.png: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/density.tsv) $(TOP)/pipelines/plot/nE.gp
	$(GNUPLOT) -e "out='$@.tmp.png'; dir='$(OUT)'; tfs='$(TFS)'; n=$(N)" \
	  $(TOP)/pipelines/plot/nE.gp 2> $@.log && mv $@.tmp.png $@

# n0 against Tf: the depletion of TLS with the glass's stability
$(OUT)/n0.png: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/density.tsv) $(TOP)/pipelines/plot/n0.gp
	$(GNUPLOT) -e "out='$@.tmp.png'; dir='$(OUT)'; tfs='$(TFS)'; n=$(N)" \
	  $(TOP)/pipelines/plot/n0.gp 2> $@.log && mv $@.tmp.png $@

# the specific heat: C/T of the TLS and harmonic terms, one colour per Tf
heat: $(OUT)/heat.png

$(OUT)/heat.png: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/heat.tsv) $(TOP)/pipelines/plot/heat.gp
	$(GNUPLOT) -e "out='$@.tmp.png'; dir='$(OUT)'; tfs='$(TFS)'; n=$(N)" \
	  $(TOP)/pipelines/plot/heat.gp 2> $@.log && mv $@.tmp.png $@

# histograms of dV, Vb, d/sqrt(PR), PR; PR against the splitting
$(OUT)/hist.png: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/density.tsv) $(TOP)/pipelines/plot/hist.gp
	$(GNUPLOT) -e "out='$@.tmp.png'; dir='$(OUT)'; tfs='$(TFS)'; n=$(N)" \
	  $(TOP)/pipelines/plot/hist.gp 2> $@.log && mv $@.tmp.png $@

$(OUT)/pr.png: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/density.tsv) $(TOP)/pipelines/plot/pr.gp
	$(GNUPLOT) -e "out='$@.tmp.png'; dir='$(OUT)'; tfs='$(TFS)'; n=$(N)" \
	  $(TOP)/pipelines/plot/pr.gp 2> $@.log && mv $@.tmp.png $@

# every DWP that is an active TLS (splitting below 2 pi / mt), all Tf
$(OUT)/tls.tsv: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/density.tsv)
	{ printf '#Tf\tglass\t'; head -1 $(firstword $(wildcard $(OUT)/Tf*/g1/tls.tsv)) | sed 's/^#//'; \
	  for tf in $(TFS); do for f in $(OUT)/Tf$$tf/g*/tls.tsv; do \
	    g=$$(basename $$(dirname $$f)); \
	    awk -F'\t' -v tf=$$tf -v g=$$g 'NR > 1 && $$5 < 6.283185307179586 / $$2 { print tf "\t" g "\t" $$0 }' $$f; \
	  done; done; } > $@.tmp && mv $@.tmp $@
