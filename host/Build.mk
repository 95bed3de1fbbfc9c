# afxdp-host: prepares a compute host. Everything but main.c also goes into
# an archive that the unit tests link against.
HOST_BIN ?= host/afxdp-host
HOST_SRCS := $(filter-out host/main.c,$(wildcard host/*.c))
HOST_OBJS := $(HOST_SRCS:%.c=$(BUILD)/%.o)
HOST_LIB := $(BUILD)/libhost.a

$(HOST_LIB): $(HOST_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(HOST_BIN): $(BUILD)/host/main.o $(HOST_LIB) $(LIBUTIL)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(HOST_LIBS)

all: $(HOST_BIN)
CLEAN_FILES += host/afxdp-host

install: install-host
.PHONY: install-host
install-host: $(HOST_BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(PREFIX)/share/afxdp-kit
	install -m 0755 $(HOST_BIN) $(DESTDIR)$(BINDIR)/afxdp-host
	install -m 0644 $(wildcard host/*.8) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 host/probe.schema.json $(DESTDIR)$(PREFIX)/share/afxdp-kit/
