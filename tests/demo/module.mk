# tests/demo: the interim in-memory demo (make demo).
INMEM_DEMO := $(O)/tests/demo/inmem_demo

$(INMEM_DEMO): tests/demo/inmem_demo.c tests/unit/helpers/romgen.c $(LIB_HOST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itests/unit -o $@ tests/demo/inmem_demo.c tests/unit/helpers/romgen.c \
		$(LIB_HOST) $(HOST_LDFLAGS)

ALL_TARGETS += $(INMEM_DEMO)
DEMO_TARGETS += demo-inmem
.PHONY: demo-inmem
demo-inmem: $(INMEM_DEMO)
	$(INMEM_DEMO)
