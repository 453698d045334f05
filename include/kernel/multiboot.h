/*
 * <kernel/multiboot.h>: the parts of the Multiboot 0.6.96 information
 * structure Quiesce reads. GRUB and QEMU's -kernel both provide it.
 */
#ifndef KERNEL_MULTIBOOT_H
#define KERNEL_MULTIBOOT_H

#include <stdint.h>

#define MULTIBOOT_BOOTLOADER_MAGIC 0x2BADB002

#define MB_INFO_MEMORY  (1 << 0)
#define MB_INFO_CMDLINE (1 << 2)
#define MB_INFO_MODS    (1 << 3)
#define MB_INFO_MMAP    (1 << 6)
#define MB_INFO_FRAMEBUFFER (1 << 12)

#define MB_FB_INDEXED   0
#define MB_FB_RGB       1
#define MB_FB_EGA_TEXT  2

struct multiboot_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;          /* KiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info, vbe_mode_info;
	uint16_t vbe_mode, vbe_interface_seg, vbe_interface_off;
	uint16_t vbe_interface_len;
	/* MB_INFO_FRAMEBUFFER: what GRUB set up (on UEFI, a GOP mode) */
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;             /* bytes per line */
	uint32_t framebuffer_width, framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;               /* MB_FB_* */
	/* The spec's table says offset 110, but its own multiboot.h (and
	 * GRUB) align the colour union to 4: the fields start at 112. */
	uint16_t color_pad;
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
} __attribute__((packed));

struct multiboot_mod {
	uint32_t start, end;
	uint32_t cmdline;
	uint32_t pad;
} __attribute__((packed));

/* A memory map entry; `size` does not count itself. */
struct multiboot_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;                          /* 1: available RAM */
} __attribute__((packed));

#endif
