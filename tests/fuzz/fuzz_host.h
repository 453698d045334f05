/*
 * tests/fuzz/fuzz_host.h: what kernel sources need to run in a fuzzer on
 * the host. Included before everything (-include) by the targets that
 * compile kernel code with privileged instructions in its headers: the
 * interrupt flag becomes a plain variable, so irq_save()/irq_restore()
 * pairs still nest as in the kernel and a target can assert they balance.
 */
#ifndef TESTS_FUZZ_HOST_H
#define TESTS_FUZZ_HOST_H
#define KERNEL_ARCH_H           /* the kernel's own arch.h stays out */
#include <stdbool.h>
#include <stdint.h>

#define EFLAGS_IF 0x200u
extern uint32_t fuzz_eflags;

static inline uint32_t read_eflags(void) { return fuzz_eflags; }
static inline bool irqs_enabled(void) { return fuzz_eflags & EFLAGS_IF; }
static inline void cli(void) { fuzz_eflags &= ~EFLAGS_IF; }
static inline void sti(void) { fuzz_eflags |= EFLAGS_IF; }
static inline void cpu_relax(void) { }
static inline uint32_t irq_save(void)
{
	uint32_t f = fuzz_eflags;

	cli();
	return f;
}
static inline void irq_restore(uint32_t flags) { fuzz_eflags = flags; }
static inline uint64_t rdtsc(void) { return 0; }
#endif
