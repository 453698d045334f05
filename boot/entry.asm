; boot/entry.asm: the multiboot v1 header and the first instructions.
;
; GRUB (or QEMU -kernel) loads the image at 1 MiB in 32-bit protected mode,
; paging off, interrupts off, with EAX = 0x2BADB002 and EBX = the multiboot
; information structure. We switch to our own boot stack and call kmain().
;
; The boot stack has a guard page below it: once paging is on, mm/vmm.c
; unmaps that page, so a runaway recursion faults instead of silently
; overwriting whatever lies below.

MB_MAGIC    equ 0x1BADB002
MB_ALIGN    equ 1 << 0          ; boot modules page aligned
MB_MEMINFO  equ 1 << 1          ; give us mem_lower/upper and the memory map
MB_FLAGS    equ MB_ALIGN | MB_MEMINFO
MB_CHECKSUM equ -(MB_MAGIC + MB_FLAGS)

BOOT_STACK_SIZE equ 16384

section .multiboot
align 4
	dd MB_MAGIC
	dd MB_FLAGS
	dd MB_CHECKSUM

section .bss
align 4096
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	resb 4096
boot_stack_bottom:
	resb BOOT_STACK_SIZE
boot_stack_top:

section .text.boot
global _start
extern kmain
_start:
	cli
	cld
	mov esp, boot_stack_top
	xor ebp, ebp                ; a zero frame pointer ends every backtrace
	push ebx                    ; multiboot info
	push eax                    ; multiboot magic
	call kmain
.hang:
	cli
	hlt
	jmp .hang
