# guests/linux: Linux 6.1 (Debian's linux-source-6.1) as a VMI guest.
#   make linux          build the CONFIG_VMI kernel out of tree under build/linux
#   make linux-e2e      boot it under QEMU + SeaBIOS (-smp 2) once per ROM case
#                       (part of make check)
#   make linux-offline  vmidump / vmilint / vmipatch on this and a stock kernel
#                       (part of make check)
#   make linux-bench    what patching costs per site against Linux's own pass,
#                       boot to /init, and what each ROM's calls save
#   make demo-linux     one boot with vmware-like, serial output shown
# The kernel lives in build/linux whatever O is: it is not sanitized, so the
# SAN=1 pass reuses it (only vmipatch.o and the link are redone when the
# library's path changes). The /init and its initrd follow O.
LINUX_O := build/linux
LINUX_BZIMAGE := $(LINUX_O)/obj/arch/x86/boot/bzImage
LINUX_DIR := $(O)/linux
LINUX_INIT := $(LINUX_DIR)/init
LINUX_INITRD := $(LINUX_DIR)/initrd.cpio
LINUX_ROMS := $(SAMPLE_ROMS_x86_64) $(VERSION_ROMS_x86_64) $(CORRUPT_ROMS_x86_64)

.PHONY: linux linux-e2e linux-offline linux-bench demo-linux
# build.sh decides what is stale (patch, overlay, config); kbuild the rest.
linux: $(LIB_x86_64) $(vmipatch_BIN)
	@VMIPATCH_LIB=$(LIB_x86_64) VMIPATCH=$(vmipatch_BIN) guests/linux/build.sh $(LINUX_O)

# A static /init: no libc in the initrd. Not sanitized: it is the guest's.
$(LINUX_INIT): guests/linux/init/init.c
	@mkdir -p $(@D)
	$(CC) $(STD) $(WARN) -D_GNU_SOURCE -O2 -static -o $@ $<

# gen_init_cpio (built with the kernel) writes device nodes without root.
$(LINUX_INITRD): $(LINUX_INIT) linux
	printf '%s\n' 'dir /dev 0755 0 0' 'nod /dev/console 0600 0 0 c 5 1' 'dir /proc 0755 0 0' \
		'dir /sys 0755 0 0' 'file /init $(abspath $(LINUX_INIT)) 0755 0 0' > $@.list
	$(LINUX_O)/obj/usr/gen_init_cpio $@.list > $@.tmp && mv $@.tmp $@

linux-e2e: linux $(LINUX_INITRD) $(LINUX_ROMS) $(vmidump_BIN) $(vmipatch_BIN)
	@VMIDUMP=$(vmidump_BIN) VMIPATCH=$(vmipatch_BIN) VMLINUX=$(LINUX_O)/obj/vmlinux guests/linux/run.sh $(LINUX_BZIMAGE) $(LINUX_INITRD) $(ROMS_DIR) $(LINUX_DIR)/logs

# The offline tools on the built vmlinux, on it without its note, on a
# stock Debian kernel (fetched once from the archive into build/linux), and
# on corrupt copies; then their --json against docs/schema/.
linux-offline: linux $(vmidump_BIN) $(vmilint_BIN) $(vmipatch_BIN) $(SAMPLE_ROMS_x86_64)
	@guests/linux/offline-check.sh $(LINUX_O)/obj/vmlinux $(LINUX_O)/src $(O)/tools \
		$(ROMS_DIR)/vmware-like-x86_64.rom $(LINUX_O)/offline
	@python3 tests/install/schema-check.py --o $(O) --image $(LINUX_O)/obj/vmlinux \
		$$(test -s $(LINUX_O)/offline/stock/vmlinux && echo --image $(LINUX_O)/offline/stock/vmlinux)

# Not a test: per-site patching cost against Linux's own pass, boot to
# /init, and the ROM counters of the /init workload times vmirun's costs.
linux-bench: linux $(LINUX_INITRD) $(SAMPLE_ROMS_x86_64) $(vmidump_BIN) $(VMIRUN_BIN)
	@VMIDUMP=$(vmidump_BIN) VMLINUX=$(LINUX_O)/obj/vmlinux python3 guests/linux/bench.py \
		guests/linux/run.sh $(LINUX_BZIMAGE) $(LINUX_INITRD) $(ROMS_DIR) $(LINUX_DIR)/bench $(VMIRUN_BIN)

demo-linux: linux $(LINUX_INITRD) $(SAMPLE_ROMS_x86_64)
	@echo "== demo: Linux 6.1 with CONFIG_VMI boots on the vmware-like ROM (sites, counters: /proc/vmi) =="
	@guests/linux/run.sh --demo $(LINUX_BZIMAGE) $(LINUX_INITRD) $(ROMS_DIR)

CHECK_TARGETS += linux-e2e linux-offline
DEMO_TARGETS += demo-linux
