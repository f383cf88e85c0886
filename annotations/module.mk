# annotations/: reading and validating annotation sections (freestanding).
CORE_SRCS += $(sort $(wildcard annotations/*.c))
