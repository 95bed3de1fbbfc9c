# afxdp-agent: the guest data path. Everything but main.c also goes into an
# archive that the unit tests link against.
AGENT_BIN ?= guest/afxdp-agent
AGENT_SRCS := $(filter-out guest/main.c,$(wildcard guest/*.c))
AGENT_OBJS := $(AGENT_SRCS:%.c=$(BUILD)/%.o)
AGENT_LIB := $(BUILD)/libagent.a

$(AGENT_LIB): $(AGENT_OBJS)
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^

$(AGENT_BIN): $(BUILD)/guest/main.o $(AGENT_LIB) $(LIBUTIL)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(AGENT_LIBS)

all: $(AGENT_BIN)
# What the demo runs: the agent and the XDP programs.
agent: $(AGENT_BIN) $(BPF_OBJS)
CLEAN_FILES += guest/afxdp-agent

install: install-agent
.PHONY: install-agent
install-agent: $(AGENT_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/afxdp-kit $(DESTDIR)$(UNITDIR)
	install -m 0755 $(AGENT_BIN) $(DESTDIR)$(BINDIR)/afxdp-agent
	install -m 0644 guest/afxdp-agent.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 guest/afxdp-agent.yaml.example \
		$(DESTDIR)$(SYSCONFDIR)/afxdp-kit/afxdp-agent.yaml.example
	sed 's|@BINDIR@|$(BINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		guest/afxdp-agent.service.in > $(DESTDIR)$(UNITDIR)/afxdp-agent.service
