# tests/install: what users install, used the way they use it.
#   install-check   make install into a scratch DESTDIR; build against it
#                   with pkg-config; run the installed tools; man -l each
#                   page; the completion; make uninstall leaves nothing
#   check-schemas   every tool's --json output against docs/schema/
#   check-deb       dpkg-buildpackage -b of a copy of the tree under $(O),
#                   dpkg-deb -x into a scratch root, run the tools there
INSTALL_TEST_DIR := $(O)/tests/install
CHECK_TARGETS += install-check
.PHONY: install-check
install-check: all
	@MAKE='$(MAKE)' O='$(O)' CC='$(CC)' HOST_FLAGS='$(SAN_FLAGS)' ROMS='$(O)/roms' tests/install/install-check.sh

CHECK_TARGETS += lint-check
.PHONY: lint-check
lint-check: $(vmilint_BIN) $(GUEST_x86_64) $(GUEST_CLEAN_x86_64) $(GUEST_OBJS_x86_64) $(GUEST_OBJS_i386)
	@VMILINT=$(vmilint_BIN) GUEST=$(GUEST_x86_64) CLEAN=$(GUEST_CLEAN_x86_64) \
		OBJS='$(GUEST_OBJS_x86_64) $(GUEST_OBJS_i386)' W=$(INSTALL_TEST_DIR)/lint tests/install/lint-check.sh

CHECK_TARGETS += deb-check
.PHONY: deb-check
deb-check: $(GUEST_x86_64) $(SAMPLE_ROMS_x86_64)
	@O='$(O)' ROMS='$(O)/roms' GUEST='$(GUEST_x86_64)' tests/install/deb-check.sh

CHECK_TARGETS += check-schemas
.PHONY: check-schemas
check-schemas: $(vmipatch_BIN) $(vmidump_BIN) $(vmilint_BIN) $(MKROM) $(VMIRUN_BIN) $(VMIRUN_GUEST) $(BLOB_x86_64) \
		$(GUEST_x86_64) $(GUEST_i386) $(GUEST_OBJS_x86_64) $(SAMPLE_ROMS_x86_64) $(SAMPLE_ROMS_i386)
	@python3 tests/install/schema-check.py --o $(O)
