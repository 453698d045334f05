/*
 * <drivers/pic.h>: the two 8259 PICs, remapped to vectors 32-47.
 */
#ifndef DRIVERS_PIC_H
#define DRIVERS_PIC_H

#include <stdbool.h>

#define PIC_VECTOR_BASE 32

/* Remap and mask every line. Context: boot, interrupts off. */
void pic_init(void);
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);
/* Acknowledge irq. Context: IRQ handler. */
void pic_eoi(unsigned irq);
/* Return: true if irq (7 or 15) was spurious and must not be acknowledged. */
bool pic_spurious(unsigned irq);

#endif
