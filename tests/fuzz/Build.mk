# libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined): the
# agent's config and filter parsers, its device-plugin and control protocol
# parsers, its handover state, afxdp-host's option-to-XML path, its VF
# netlink decoder and its plan file. The sources a target needs are compiled again here with
# clang's instrumentation, in their own tree (build/fuzz).
#
#   make fuzz         every target until FUZZ_RUNS (10 million) executions
#   make fuzz-build   the binaries; `make test` runs each for
#                     FUZZ_SECONDS (tests/hardening/test_fuzz.sh)
FUZZ_BUILD := build/fuzz
FUZZ_RUNS ?= 10000000
FUZZ_TARGETS := config filter vm_xml sriov_netlink uds_proto ctl_proto \
	handover_state plan
FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
# The project's sources are held to -Werror by the gcc build; clang has
# warnings of its own (e.g. -Wstring-concatenation on host/vm_cmd.c's help
# text), which must not break `make test`: -Werror only for the harnesses.
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Wno-missing-field-initializers \
	-Wno-string-concatenation -Wno-gnu-variable-sized-type-not-at-end \
	-g -O1 -D_GNU_SOURCE -MMD -MP \
	-DAFXDP_VERSION='"$(VERSION)"' -DAFXDP_BPF_DIR='"$(BPFDIR)"' \
	-Ilib -I. $(PKG_CFLAGS) -fno-omit-frame-pointer \
	-fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
FUZZ_LDFLAGS := -fsanitize=fuzzer,address,undefined

# What each target links, besides its harness and lib/util (an archive of
# all of lib/util, instrumented: the linker takes the members it needs).
FUZZ_SRCS_config := $(wildcard guest/config*.c) guest/filter.c
FUZZ_LIBS_config := $(shell pkg-config --libs yaml-0.1 2>/dev/null)
FUZZ_SRCS_filter := guest/filter.c
FUZZ_LIBS_filter :=
FUZZ_SRCS_vm_xml := host/cmd.c host/cmd_usage.c host/domain.c $(wildcard host/vm_*.c)
FUZZ_LIBS_vm_xml := $(shell pkg-config --libs libvirt libxml-2.0 2>/dev/null)
FUZZ_SRCS_sriov_netlink := host/sriov_netlink.c
FUZZ_LIBS_sriov_netlink :=
FUZZ_SRCS_uds_proto := guest/uds_proto.c
FUZZ_LIBS_uds_proto :=
FUZZ_SRCS_ctl_proto := guest/ctl_proto.c
FUZZ_LIBS_ctl_proto :=
# handover_state.c's layout names the mode (config.c).
FUZZ_SRCS_handover_state := guest/handover_state.c $(wildcard guest/config*.c) \
	guest/filter.c
FUZZ_LIBS_handover_state := $(FUZZ_LIBS_config)
FUZZ_SRCS_plan := host/plan_parse.c
FUZZ_LIBS_plan := $(FUZZ_LIBS_config)
FUZZ_UTIL := $(FUZZ_BUILD)/libafxdputil.a
FUZZ_UTIL_LIBS := $(shell pkg-config --libs libmnl json-c 2>/dev/null)

$(FUZZ_BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	@echo "  CLANG   $<"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(WARN) -c -o $@ $<

$(FUZZ_UTIL): $(LIB_SRCS:%.c=$(FUZZ_BUILD)/obj/%.o)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

define fuzz_link
$(FUZZ_BUILD)/fuzz_$(1): $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_$(1).o \
		$(FUZZ_SRCS_$(1):%.c=$(FUZZ_BUILD)/obj/%.o) $(FUZZ_UTIL)
	@echo "  LD      $$@"
	$$(Q)$$(CLANG) $$(FUZZ_LDFLAGS) -o $$@ $$^ $$(FUZZ_LIBS_$(1)) \
		$$(FUZZ_UTIL_LIBS) -lpthread
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_link,$(t))))

.PHONY: fuzz fuzz-build
fuzz-build: $(FUZZ_BINS)
tests-build: fuzz-build

fuzz: fuzz-build
	tests/fuzz/run.sh long $(FUZZ_RUNS) $(FUZZ_TARGETS)

# The long soak (tests/hardening/test_soak.sh runs 60 s in `make test`).
SOAK_SECONDS ?= 600
.PHONY: soak
soak: all
	SOAK_SECONDS=$(SOAK_SECONDS) tests/run.sh tests/hardening/test_soak.sh
