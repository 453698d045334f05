; boot/trampoline.asm: where an application processor starts.
;
; A STARTUP IPI starts an AP in real mode at CS:IP = page:0, i.e. the
; physical address page << 12, below 1 MiB. kernel/smp.c copies the bytes
; from ap_tramp_start to ap_tramp_end to AP_TRAMP_ADDR (0x8000) and fills
; in the four words at the end (page directory, stack, CPU index, C entry)
; before each start. The code runs at an address it was not linked for,
; so every reference to itself is written AP_TRAMP_ADDR + (label - start).
;
; Steps: real mode -> a temporary flat GDT -> protected mode -> the
; kernel's page directory and CR0.PG|WP (the same mapping as CPU 0, which
; identity maps this page) -> the AP's own stack -> ap_main(cpu index),
; which loads the kernel's real GDT, IDT and per-CPU %fs.

AP_TRAMP_ADDR equ 0x8000
%define T(x) (AP_TRAMP_ADDR + ((x) - ap_tramp_start))

section .text
bits 16
global ap_tramp_start, ap_tramp_end
ap_tramp_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	lgdt [T(tramp_gdt_ptr)]
	mov eax, cr0
	or eax, 1                   ; PE
	mov cr0, eax
	jmp dword 0x08:T(tramp_pm32)

bits 32
tramp_pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov eax, [T(tramp_cr3)]
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80010000          ; PG | WP, as on CPU 0
	mov cr0, eax
	mov esp, [T(tramp_stack)]
	xor ebp, ebp                ; the end of every backtrace
	push dword [T(tramp_cpu)]
	push dword 0                ; no return address
	mov eax, [T(tramp_entry)]
	jmp eax                     ; ap_main(cpu): never returns

align 8
tramp_gdt:
	dq 0
	dq 0x00cf9a000000ffff       ; flat 4 GiB code, ring 0
	dq 0x00cf92000000ffff       ; flat 4 GiB data
tramp_gdt_ptr:
	dw 3 * 8 - 1
	dd T(tramp_gdt)
; Filled in by kernel/smp.c (struct ap_tramp_args, in this order).
global ap_tramp_args
align 4
ap_tramp_args:
tramp_cr3:   dd 0
tramp_stack: dd 0
tramp_cpu:   dd 0
tramp_entry: dd 0
ap_tramp_end:
