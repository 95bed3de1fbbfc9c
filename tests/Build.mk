# Tests. Every suite speaks TAP; tests/run.sh adds them up and prints the
# closing "tests: N passed, N failed, N skipped" line. Under CI=true a skip
# counts as a failure: CI has every facility the tests need.
#
#   tests/unit/{lib,guest,host}/test_*.c   cmocka, no privileges, one file per
#                         module it tests; also built with ASan/UBSan
#   tests/bpf/test_*.c    cmocka + BPF_PROG_TEST_RUN, root
#   tests/*/test_*.sh     root integration suites (netns, host, ansible, ...)
ASAN_BUILD := build/asan
UNIT_SRCS := $(wildcard tests/unit/*/test_*.c)
BPF_TEST_SRCS := $(wildcard tests/bpf/test_*.c)
UNIT_BINS := $(UNIT_SRCS:%.c=$(BUILD)/%)
BPF_TEST_BINS := $(BPF_TEST_SRCS:%.c=$(BUILD)/%)
SHELL_SUITES := $(wildcard tests/netns/test_*.sh tests/host/test_*.sh \
	tests/ansible/test_*.sh tests/hardening/test_*.sh \
	tests/scripts/test_*.sh tests/bench/test_*.sh)

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(AGENT_LIB) $(HOST_LIB) $(LIBUTIL)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) $(TEST_LDFLAGS) -o $@ $^ $(LIBS) -lcmocka

# Allocation-failure hooks: a test that defines __wrap_calloc gets the code
# under test's calloc() calls (the linker's --wrap, for this link only).
$(BUILD)/tests/unit/host/test_vm_xml: TEST_LDFLAGS := -Wl,--wrap=calloc

.PHONY: tests-build test-unit test-asan test-bpf test-shell
tests-build: $(UNIT_BINS) $(BPF_TEST_BINS)

# The sanitizer variant: same sources, its own object tree and binaries.
SAN_MAKE = $(MAKE) --no-print-directory SAN=1 BUILD=$(ASAN_BUILD) \
	AGENT_BIN=$(ASAN_BUILD)/afxdp-agent HOST_BIN=$(ASAN_BUILD)/afxdp-host

test-unit: all tests-build
	tests/run.sh $(UNIT_BINS)

test-asan:
	$(SAN_MAKE) tests-build $(ASAN_BUILD)/afxdp-agent $(ASAN_BUILD)/afxdp-host
	tests/run.sh $(UNIT_SRCS:%.c=$(ASAN_BUILD)/%)

test-bpf: all tests-build
	tests/run.sh $(BPF_TEST_BINS)

test-shell: all
	tests/run.sh $(SHELL_SUITES)

# One runner invocation so the closing line counts everything. The builds
# use every CPU: they are minutes of make test's 20 otherwise.
test: deps-test
	$(MAKE) --no-print-directory -j$(NPROC) all tests-build
	$(SAN_MAKE) -j$(NPROC) tests-build $(ASAN_BUILD)/afxdp-agent $(ASAN_BUILD)/afxdp-host
	tests/run.sh $(UNIT_BINS) $(UNIT_SRCS:%.c=$(ASAN_BUILD)/%) \
		$(BPF_TEST_BINS) $(SHELL_SUITES)

# Test tools (independent senders/receivers used by the shell suites, the
# demo and the benchmarks).
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(TOOL_SRCS:%.c=$(BUILD)/%)
# bench/tools/xwake too: tests/bench/test_xwake.sh runs it.
tests-build: $(TOOL_BINS) $(BUILD)/bench/tools/xwake
all: $(TOOL_BINS)
