# tests/unit: one CMocka program per module, tests/unit/test_<module>.c,
# linked against the host build of the core (sanitized with SAN=1).
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/unit/%)
UNIT_HELPERS := $(sort $(wildcard tests/unit/helpers/*.c))

$(O)/tests/unit/%: tests/unit/%.c $(UNIT_HELPERS) $(wildcard tests/unit/helpers/*.h) $(LIB_HOST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Itests/unit -o $@ $< $(UNIT_HELPERS) $(LIB_HOST) $(HOST_LDFLAGS) \
		$(CMOCKA_LIBS) $(ZYDIS_LIBS) $(CAPSTONE_LIBS) $(ELF_LIBS)

ALL_TARGETS += $(UNIT_BINS)
CHECK_TARGETS += check-unit
.PHONY: check-unit
check-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
