# patcher/: plan -> apply -> unpatch, x86 encoders, NOP tables (freestanding).
CORE_SRCS += $(sort $(wildcard patcher/*.c))
