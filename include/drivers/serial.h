/*
 * <drivers/serial.h>: the 16550 UART on COM1, 115200 8N1.
 *
 * Transmit polls the line status register: it waits for room rather than
 * drop a byte, so a panic report always comes out whole. Receive is
 * interrupt driven (IRQ 4) and feeds the console's input ring.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>

/* Context: boot, before interrupts. Return: false if no UART answers. */
bool serial_init(void);
/* Enable the receive interrupt. Context: boot, after the PIC is set up. */
void serial_enable_irq(void);
/* Context: any; spins while the transmitter is full. */
void serial_putc(char c);

#endif
