; boot/entry.asm: the multiboot v1 header and the first instructions.
;
; GRUB (or QEMU -kernel) loads the image at 1 MiB in 32-bit protected mode,
; paging off, interrupts off, with EAX = 0x2BADB002 and EBX = the multiboot
; information structure. We switch to our own boot stack and call kmain().
;
; The boot stack has a guard page below it: once paging is on, mm/vmm.c
; unmaps that page, so a runaway recursion faults instead of silently
; overwriting whatever lies below.
;
; Before any C runs, the CPU is checked for what the build needs: the
; kernel is compiled for i686 (-march=i686), so gcc may emit CMOV in any C
; function, and kmain reads the TSC first thing. A 486 or a Pentium would
; fault in the first CMOV, and the fault reporter (C, with CMOVs of its
; own) would fault in turn: garbage, no message. So, in assembly: CPUID
; must exist (EFLAGS.ID can be toggled), leaf 1 must report CMOV and TSC.
; If not, one line goes to COM1 and the VGA screen, QEMU's isa-debug-exit
; (if present) ends the run with status 35, and the CPU halts. On success
; the first line of the boot is printed from here, before any device is
; set up, so even a machine that hangs later has said something.

MB_MAGIC    equ 0x1BADB002
MB_ALIGN    equ 1 << 0          ; boot modules page aligned
MB_MEMINFO  equ 1 << 1          ; give us mem_lower/upper and the memory map
MB_VIDEO    equ 1 << 2          ; the video fields below are meant
MB_FLAGS    equ MB_ALIGN | MB_MEMINFO | MB_VIDEO
MB_CHECKSUM equ -(MB_MAGIC + MB_FLAGS)
; Video: EGA text preferred (mode type 1), a linear framebuffer accepted.
; GRUB on a BIOS gives VGA text; on UEFI, where there is no text mode, a
; graphics mode (drivers/fbcon.c draws the text). Without MB_VIDEO, GRUB
; on UEFI warns "no console will be available to OS".
MB_MODE_EGA equ 1

BOOT_STACK_SIZE equ 16384

section .multiboot
align 4
	dd MB_MAGIC
	dd MB_FLAGS
	dd MB_CHECKSUM
	dd 0, 0, 0, 0, 0            ; load addresses: unused (an ELF kernel)
	dd MB_MODE_EGA, 80, 25, 0   ; mode type, columns, rows, depth

section .bss
align 4096
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:
	resb 4096
boot_stack_bottom:
	resb BOOT_STACK_SIZE
boot_stack_top:

CPUID_TSC   equ 1 << 4
CPUID_CMOV  equ 1 << 15
COM1        equ 0x3f8
UART_WAIT   equ 100000          ; LSR polls per byte before giving up

section .rodata.boot
msg_hello:  db "quiesce: booting: CPU has CPUID, CMOV, TSC", 13, 10, 0
msg_nocpuid:
	db "quiesce: this CPU has no CPUID instruction (a 486 or older); "
	db "the kernel is built for i686 (Pentium Pro or later: CMOV, TSC). "
	db "Halted.", 13, 10, 0
msg_nofeat:
	db "quiesce: this CPU lacks CMOV or TSC (a 486 or a Pentium); the "
	db "kernel is built for i686 (Pentium Pro or later). Halted.", 13, 10, 0

section .text.boot
global _start
extern kmain
_start:
	cli
	cld
	mov esp, boot_stack_top
	mov edi, eax                ; keep the multiboot magic and info
	mov esi, ebx
	call uart_setup
	; CPUID exists if EFLAGS.ID (bit 21) can be flipped.
	pushfd
	pop eax
	mov ecx, eax
	xor eax, 1 << 21
	push eax
	popfd
	pushfd
	pop eax
	push ecx
	popfd
	xor eax, ecx
	test eax, 1 << 21
	mov ebx, msg_nocpuid
	jz .refuse
	xor eax, eax
	cpuid                       ; (CPUID overwrites EBX)
	mov ebx, msg_nofeat
	cmp eax, 1
	jb .refuse
	mov eax, 1
	cpuid
	mov ebx, msg_nofeat
	and edx, CPUID_TSC | CPUID_CMOV
	cmp edx, CPUID_TSC | CPUID_CMOV
	jne .refuse
	mov ebx, msg_hello
	call uart_puts
	xor ebp, ebp                ; a zero frame pointer ends every backtrace
	push esi                    ; multiboot info
	push edi                    ; multiboot magic
	call kmain
.hang:
	cli
	hlt
	jmp .hang
.refuse:
	call uart_puts
	call vga_puts
	; Let the UART's FIFO drain (LSR bit 6: transmitter empty, bounded)
	; before QEMU exits, or the line is lost with it.
	mov ecx, UART_WAIT * 100
	mov dx, COM1 + 5
.drain:
	in al, dx
	test al, 0x40
	jnz .exit
	loop .drain
.exit:
	mov dx, 0xf4                ; QEMU isa-debug-exit: status 35
	mov al, 0x11
	out dx, al
	jmp .hang

; COM1 at 115200 8N1, FIFOs on, no interrupts (drivers/serial.c does the
; same again, and checks the port is there).
uart_setup:
	mov dx, COM1 + 1
	xor al, al
	out dx, al                  ; IER: no interrupts
	mov dx, COM1 + 3
	mov al, 0x80
	out dx, al                  ; LCR: DLAB
	mov dx, COM1
	mov al, 1
	out dx, al                  ; divisor 1: 115200
	mov dx, COM1 + 1
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 0x03
	out dx, al                  ; 8N1
	mov dx, COM1 + 2
	mov al, 0xc7
	out dx, al                  ; FIFOs
	ret

; Print the NUL-terminated string at EBX on COM1; a byte the UART does not
; take within UART_WAIT polls is dropped (no UART, no hang).
uart_puts:
	push ebx
.next:
	mov al, [ebx]
	test al, al
	jz .done
	mov ah, al
	mov ecx, UART_WAIT
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20               ; LSR: transmitter holding register empty
	jnz .send
	loop .wait
	jmp .skip
.send:
	mov dx, COM1
	mov al, ah
	out dx, al
.skip:
	inc ebx
	jmp .next
.done:
	pop ebx
	ret

; The same string on the VGA text screen's first line (white on red).
vga_puts:
	mov edi, 0xb8000
.vnext:
	mov al, [ebx]
	test al, al
	jz .vdone
	cmp al, ' '                 ; the line ends at CR
	jb .vdone
	mov ah, 0x4f
	stosw
	inc ebx
	jmp .vnext
.vdone:
	ret
