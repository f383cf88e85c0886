# rom_loader/: finding, validating and negotiating with a ROM (freestanding).
CORE_SRCS += $(sort $(wildcard rom_loader/*.c))
