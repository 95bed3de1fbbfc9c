# Benchmarks (not part of CI): `make bench` compares afxdp-agent with its
# peers on one veth topology; see bench/README.md. BENCH_WINDOWS and
# BENCH_SECONDS shorten a run (e.g. BENCH_WINDOWS=2 BENCH_SECONDS=3).
BENCH_BPF := bench/tools/redirect.bpf.o
BENCH_TOOL_SRCS := $(wildcard bench/tools/*.c)
BENCH_TOOL_SRCS := $(filter-out %.bpf.c,$(BENCH_TOOL_SRCS))
BENCH_TOOLS := $(BENCH_TOOL_SRCS:%.c=$(BUILD)/%)

bench/tools/%.bpf.o: bench/tools/%.bpf.c
	@echo "  BPF     $<"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

$(BUILD)/bench/tools/%: $(BUILD)/bench/tools/%.o
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(shell pkg-config --libs libbpf) -lpthread

.PHONY: bench-build
bench-build: all $(BENCH_BPF) $(BENCH_TOOLS)

bench: deps-bench
	$(MAKE) --no-print-directory bench-run
.PHONY: bench-run
bench-run: bench-build
	BUILD=$(BUILD) bench/run.sh
CLEAN_FILES += $(BENCH_BPF)

# The floor forwarder is a libxdp program (xsk.h lives in libxdp).
$(BUILD)/bench/tools/floor_fwd: $(BUILD)/bench/tools/floor_fwd.o
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(shell pkg-config --libs libxdp libbpf)
