/*
 * <drivers/vga.h>: the 80x25 VGA text screen, a mirror of the console.
 */
#ifndef DRIVERS_VGA_H
#define DRIVERS_VGA_H

/* Context: boot. */
void vga_init(void);
/* Context: any, caller serialises (the console lock). */
void vga_putc(char c);

#endif
