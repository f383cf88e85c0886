# tests/guest: the sample guest, a small kernel-like image (ELF32 and ELF64)
# with a few hundred annotated sites of every category. Never run: it is
# the input of the tool tests and of `make demo`.
GUEST_SRCS := $(sort $(wildcard tests/guest/*.c))
GUEST_CFLAGS := $(STD) $(WARN) $(INC) -O2 -g -ffreestanding -fno-stack-protector -fno-pie \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -mgeneral-regs-only -fno-builtin
GUEST_LDFLAGS := -nostdlib -static -Wl,--build-id=none
GUEST_i386 := $(O)/guest/guest-i386.elf
GUEST_x86_64 := $(O)/guest/guest-x86_64.elf
GUEST_OBJS_i386 := $(GUEST_SRCS:tests/guest/%.c=$(O)/guest/i386/%.o)
GUEST_OBJS_x86_64 := $(GUEST_SRCS:tests/guest/%.c=$(O)/guest/x86_64/%.o)

$(O)/guest/i386/%.o: tests/guest/%.c tests/guest/sample.h include/vmi/guest.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -m32 -march=i686 -MMD -MP -c $< -o $@
$(O)/guest/x86_64/%.o: tests/guest/%.c tests/guest/sample.h include/vmi/guest.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -m64 -mno-red-zone -MMD -MP -c $< -o $@
# Linked without -Werror flags: the link step only takes the layout flags.
$(GUEST_i386): $(GUEST_OBJS_i386)
	$(CC) -m32 $(GUEST_LDFLAGS) -o $@ $^
$(GUEST_x86_64): $(GUEST_OBJS_x86_64)
	$(CC) -m64 $(GUEST_LDFLAGS) -o $@ $^

ALL_TARGETS += $(GUEST_i386) $(GUEST_x86_64)

# The clean variant (no deliberate findings), x86-64 only: vmilint's "no findings" input.
GUEST_CLEAN_x86_64 := $(O)/guest/guest-clean-x86_64.elf
$(O)/guest/clean/main.o: tests/guest/main.c tests/guest/sample.h include/vmi/guest.h
	@mkdir -p $(@D)
	$(CC) $(GUEST_CFLAGS) -m64 -mno-red-zone -DVMI_SAMPLE_CLEAN -MMD -MP -c $< -o $@
$(GUEST_CLEAN_x86_64): $(filter-out %/main.o,$(GUEST_OBJS_x86_64)) $(O)/guest/clean/main.o
	$(CC) -m64 $(GUEST_LDFLAGS) -o $@ $^
ALL_TARGETS += $(GUEST_CLEAN_x86_64)
