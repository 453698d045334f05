/*
 * <drivers/kbd.h>: the PS/2 keyboard (scan code set 1, US layout), feeding
 * the console input ring like the serial line does.
 */
#ifndef DRIVERS_KBD_H
#define DRIVERS_KBD_H

/* Context: boot, after the PIC. */
void kbd_init(void);

#endif
