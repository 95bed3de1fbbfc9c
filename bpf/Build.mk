# XDP programs, built with clang -target bpf into bpf/*.bpf.o.
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(BPF_SRCS:.bpf.c=.bpf.o)
BPF_CFLAGS := -O2 -g -Wall -Werror -target bpf \
	-I/usr/include/$(shell gcc -dumpmachine) -Ibpf

bpf/%.bpf.o: bpf/%.bpf.c bpf/afxdp_steer.h
	@echo "  BPF     $<"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c -o $@ $<

all: $(BPF_OBJS)
CLEAN_FILES += $(BPF_OBJS)

install: install-bpf
.PHONY: install-bpf
install-bpf: $(BPF_OBJS)
	install -d $(DESTDIR)$(BPFDIR)
	install -m 0644 $(BPF_OBJS) $(DESTDIR)$(BPFDIR)/
