# pipelines/tls.mk - the TLS pipeline, one directory per Tf and per glass:
#
#   make -f pipelines/tls.mk SCALE=demo OUT=demo -j2
#
#   ipl-swapmc -> md-quench -> is-sample (per run) -> is-merge -> pair-select
#   -> neb-ci --bands (per chunk of pairs) -> dwp-split -> schrod1d
#   then tls-density per Tf and the n(E)/E figure across Tf.
#
# Parameters: pipelines/params/$(SCALE).mk (any variable can be overridden on
# the command line).  Every heavy command is prefixed by $(LAUNCH), empty by
# default: LAUNCH="srun -n1 -c1" runs each on a cluster node.  Outputs are
# atomic (the programs' -o, or .tmp + mv), failed targets are deleted
# (.DELETE_ON_ERROR), every step's stderr goes to FILE.log beside FILE, and
# make again redoes only what is missing.  The swap-MC chain checkpoints and
# resumes by itself.  To swap a stage for another tool, produce the same
# file (e.g. Tf0.07/glasses.xyz from LAMMPS runs; see README.md).

SCALE ?= demo
TOP := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
include $(TOP)/pipelines/params/$(SCALE).mk
OUT ?= $(SCALE)
BIN ?= $(TOP)/bin
LAUNCH ?=
GNUPLOT ?= gnuplot
export PATH := $(BIN):$(PATH)

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all figure

# per Tf: number of glasses (GLASSES_<tf> or GLASSES)
glasses = $(or $(GLASSES_$(1)),$(GLASSES))
glass_ids = $(shell seq 1 $(call glasses,$(1)))
run_ids = $(shell seq 0 $$(($(RUNS) - 1)))
chunk_ids = $(shell seq 0 $$(($(NEB_CHUNKS) - 1)))

all: figure

figure: $(OUT)/nE.png $(OUT)/hist.png $(OUT)/pr.png $(OUT)/tls.tsv growth

comma := ,
mass1 = $(firstword $(subst $(comma), ,$(MASS)))

# growth of the exploration with the number of runs, per glass and per Tf
.PHONY: growth
growth: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/growth.tsv)

# ---- per Tf ----
define TF_RULES
$(OUT)/Tf$(1)/params.txt:
	@mkdir -p $$(@D)
	@{ echo "# tlskit pipeline, scale $(SCALE), Tf $(1)"; \
	  echo "N=$(N) T_MD=$(T_MD) EQ=$(EQ_$(1)) SPACING=$(SPACING) GLASSES=$(call glasses,$(1))"; \
	  echo "RUNS=$(RUNS) RUN_TIME=$(RUN_TIME) MIN_EVERY=$(MIN_EVERY) QUENCH_TIME=$(QUENCH_TIME)"; \
	  echo "PAIR_OPTS=$(PAIR_OPTS) NEB_CHUNKS=$(NEB_CHUNKS) MASS=$(MASS) SEED=$(SEED)"; \
	  for p in ipl-swapmc md-quench is-sample is-merge pair-select neb-ci dwp-split schrod1d tls-density; do \
	    $$$$p --version; done; } > $$@.tmp && mv $$@.tmp $$@

# the swap-MC chain: equilibrate, then one frame every SPACING sweeps; from
# N random particles (the deterministic diameter set), or from the frame
# START_<tf> when the parameters give one (an already equilibrated glass)
$(OUT)/Tf$(1)/chain.xyz: | $(OUT)/Tf$(1)/params.txt
	cd $$(@D) && if [ -e chain.ckpt ]; then \
	  $(LAUNCH) ipl-swapmc --resume chain.ckpt --sweeps $$$$(($(EQ_$(1)) + $(call glasses,$(1)) * $(SPACING))) \
	    --checkpoint chain.ckpt --progress -o chain.xyz 2>> chain.xyz.log; \
	else \
	  $(LAUNCH) ipl-swapmc $(if $(START_$(1)),$(START_$(1)),-N $(N)) -T $(1) --seed $(SEED) \
	    --sweeps $$$$(($(EQ_$(1)) + $(call glasses,$(1)) * $(SPACING))) --every $(SPACING) \
	    --checkpoint chain.ckpt --progress -o chain.xyz 2> chain.xyz.log; \
	fi

# quench the glasses (the frames after equilibration) to T_MD
$(OUT)/Tf$(1)/glasses.xyz: $(OUT)/Tf$(1)/chain.xyz
	conf-convert --frames $$$$(($(EQ_$(1)) / $(SPACING) + 1)): $$< | \
	  $(LAUNCH) md-quench -T $(T_MD) --time $(QUENCH_TIME) --seed $(SEED) -o $$@ 2> $$@.log

$(OUT)/Tf$(1)/density.tsv: $(foreach g,$(call glass_ids,$(1)),$(OUT)/Tf$(1)/g$(g)/tls.tsv)
	tls-density -N $(N) --glasses $(call glasses,$(1)) --curve $(OUT)/Tf$(1)/curve.tsv \
	  --hist $(OUT)/Tf$(1)/hist.tsv $$^ > $$@.tmp 2> $$@.log && mv $$@.tmp $$@

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
$(OUT)/Tf$(1)/g$(2)/glass.xyz: $(OUT)/Tf$(1)/glasses.xyz
	@mkdir -p $$(@D)
	conf-convert --frames $(2):$(2) -o $$@ $$<

$(foreach r,$(run_ids),$(eval $(call RUN_RULES,$(1),$(2),$(r))))

$(OUT)/Tf$(1)/g$(2)/minima.bin: $(foreach r,$(run_ids),$(OUT)/Tf$(1)/g$(2)/run$(r).bin)
	is-merge --transitions $(OUT)/Tf$(1)/g$(2)/transitions.tsv -o $$@ \
	  $$(foreach r,$(run_ids),$(OUT)/Tf$(1)/g$(2)/run$$(r).bin $(OUT)/Tf$(1)/g$(2)/run$$(r).tsv) 2> $$@.log

$(OUT)/Tf$(1)/g$(2)/pairs.xyz: $(OUT)/Tf$(1)/g$(2)/minima.bin
	pair-select --transitions $(OUT)/Tf$(1)/g$(2)/transitions.tsv $(PAIR_OPTS) \
	  --table $(OUT)/Tf$(1)/g$(2)/pairs.tsv -o $$@ $$< 2> $$@.log

$(foreach c,$(chunk_ids),$(eval $(call CHUNK_RULES,$(1),$(2),$(c))))

$(OUT)/Tf$(1)/g$(2)/dwps.txt: $(foreach c,$(chunk_ids),$(OUT)/Tf$(1)/g$(2)/bands$(c).bin)
	cat $$^ | $(LAUNCH) dwp-split -o $$@ 2> $$@.log

$(OUT)/Tf$(1)/g$(2)/tls.tsv: $(OUT)/Tf$(1)/g$(2)/dwps.txt
	schrod1d --mass $(MASS) -o $$@ $$< 2> $$@.log

$(OUT)/Tf$(1)/g$(2)/growth.tsv: $(OUT)/Tf$(1)/g$(2)/tls.tsv $(OUT)/Tf$(1)/g$(2)/minima.bin
	$(TOP)/pipelines/growth.sh $(OUT)/Tf$(1)/g$(2) $(RUNS) $(mass1) > $$@.tmp 2> $$@.log && mv $$@.tmp $$@
endef

define RUN_RULES
$(OUT)/Tf$(1)/g$(2)/run$(3).bin: $(OUT)/Tf$(1)/g$(2)/glass.xyz
	$(LAUNCH) is-sample -T $(T_MD) --first-run $(3) --runs 1 --time $(RUN_TIME) --every $(MIN_EVERY) \
	  --seed $(SEED) --transitions $(OUT)/Tf$(1)/g$(2)/run$(3).tsv -o $$@ $$< 2> $$@.log
endef

define CHUNK_RULES
$(OUT)/Tf$(1)/g$(2)/bands$(3).bin: $(OUT)/Tf$(1)/g$(2)/pairs.xyz
	$(LAUNCH) neb-ci --bands --chunk $(3)/$(NEB_CHUNKS) -o $$@ $$< 2> $$@.log
endef

$(foreach tf,$(TFS),$(eval $(call TF_RULES,$(tf))))

# ---- across Tf ----
$(OUT)/nE.png: $(foreach tf,$(TFS),$(OUT)/Tf$(tf)/density.tsv) $(TOP)/pipelines/plot/nE.gp
	$(GNUPLOT) -e "out='$@.tmp.png'; dir='$(OUT)'; tfs='$(TFS)'; n=$(N)" \
	  $(TOP)/pipelines/plot/nE.gp 2> $@.log && mv $@.tmp.png $@

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
