# afxdp-app: the native AF_XDP example (examples/afxdp-app/README.md). It
# speaks the device-plugin protocol with the agent's own code: uds_proto.o
# and uds_send() come from libagent.a, which the linker takes only those
# members (and what they need from libafxdputil.a) from.
APP_BIN := examples/afxdp-app/afxdp-app
APP_SRCS := $(wildcard examples/afxdp-app/*.c)
APP_OBJS := $(APP_SRCS:%.c=$(BUILD)/%.o)

$(APP_BIN): $(APP_OBJS) $(AGENT_LIB) $(LIBUTIL)
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(AGENT_LIBS)

all: $(APP_BIN)
CLEAN_FILES += $(APP_BIN)
