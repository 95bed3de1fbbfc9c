# lib/util: code shared by afxdp-agent and afxdp-host.
LIB_SRCS := $(wildcard lib/util/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBUTIL := $(BUILD)/libafxdputil.a

$(LIBUTIL): $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)ar rcs $@ $^
