; boot/isr.asm: the interrupt and exception entry stubs.
;
; Every vector gets a stub that makes the stack look the same: an error code
; (the CPU's, or a 0 we push), the vector number, then all general registers
; and the data segments. The result is a struct trap_frame (include/kernel/trap.h)
; handed to trap_dispatch(). On return, the frame (possibly edited: a fault
; handler may redirect EIP to a recovery point) is restored and we iret.

%macro STUB_NOERR 1
global isr%1
isr%1:
	push dword 0
	push dword %1
	jmp trap_common
%endmacro

%macro STUB_ERR 1
global isr%1
isr%1:
	push dword %1
	jmp trap_common
%endmacro

section .text
extern trap_dispatch

; Exceptions that push an error code: 8, 10-14, 17, 21, 29, 30.
; 32-47: the PIC's IRQs; 48-63: the local APIC's (timer, IPIs, spurious).
%assign i 0
%rep 64
%if i == 8 || (i >= 10 && i <= 14) || i == 17 || i == 21 || i == 29 || i == 30
	STUB_ERR i
%else
	STUB_NOERR i
%endif
%assign i i+1
%endrep

; Vector 0x81: a software preemption point (see VEC_PREEMPT_POINT).
	STUB_NOERR 129

trap_common:
	pusha
	push ds
	push es
	push fs
	push gs
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov gs, ax                  ; fs stays: this CPU's struct cpu
	; Make a frame that links to the interrupted code's frame, so a
	; backtrace taken inside a handler walks straight through the trap.
	push dword [esp + 56]       ; interrupted EIP (as a return address)
	push ebp                    ; interrupted frame pointer
	mov ebp, esp
	lea eax, [esp + 8]
	push eax                    ; struct trap_frame *
	call trap_dispatch
	add esp, 12
	pop gs
	; Not pop fs: the task may have moved to another CPU while it was
	; switched out in here; fs must stay this CPU's struct cpu.
	add esp, 4
	pop es
	pop ds
	popa
	add esp, 8                  ; vector and error code
	iret

section .rodata
global isr_table, isr_preempt_point
isr_table:
%assign i 0
%rep 64
	dd isr%+i
%assign i i+1
%endrep
isr_preempt_point:
	dd isr129
