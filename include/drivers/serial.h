/*
 * <drivers/serial.h>: the 16550 UART on COM1, 115200 8N1.
 *
 * Transmit: polled at boot; once serial_enable_irq() has run, through a
 * 4 KiB ring that IRQ 4 drains, so a printing task keeps interrupts off
 * only while it copies its line into the ring. serial_flush() writes the
 * ring out by polling (panic, poweroff, reboot). Bytes are never dropped
 * while the UART answers. Receive is interrupt driven (IRQ 4) and feeds
 * the console's input ring.
 */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stdbool.h>

/* Context: boot, before interrupts. Return: false if no UART answers. */
bool serial_init(void);
/* Receive and transmit interrupts. Context: boot, after the PIC is set up. */
void serial_enable_irq(void);
/* Context: any, interrupts off once the ring is in use; may poll when the
 * ring is full. */
void serial_putc(char c);
/* Write out the ring, polled and bounded. Context: any. */
void serial_flush(void);
/* Bytes in the ring not yet given to the UART. Context: any. */
unsigned serial_tx_pending(void);
/* UART register accesses the console sink made so far (the work done
 * with interrupts off); the serial tests read it. Context: any. */
unsigned serial_sink_io(void);

#endif
