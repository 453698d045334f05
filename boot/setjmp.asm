; boot/setjmp.asm: ksetjmp/klongjmp (struct kjmp_buf in <kernel/trap.h>).
;
; Used by fault catches and by the test harness to abandon a test case. The
; interrupt flag is part of the saved state: a fault handler runs with
; interrupts off and must not leave them off when it resumes a catch.

section .text
global ksetjmp, klongjmp

; int ksetjmp(struct kjmp_buf *jb)
ksetjmp:
	mov eax, [esp + 4]
	mov [eax + 0], ebx
	mov [eax + 4], esi
	mov [eax + 8], edi
	mov [eax + 12], ebp
	lea ecx, [esp + 4]          ; the caller's esp after we return
	mov [eax + 16], ecx
	mov ecx, [esp]              ; return address
	mov [eax + 20], ecx
	pushfd
	pop ecx
	mov [eax + 24], ecx
	xor eax, eax
	ret

; void klongjmp(struct kjmp_buf *jb, int val)
klongjmp:
	mov edx, [esp + 4]
	mov eax, [esp + 8]
	test eax, eax
	jnz .nonzero
	inc eax
.nonzero:
	mov ebx, [edx + 0]
	mov esi, [edx + 4]
	mov edi, [edx + 8]
	mov ebp, [edx + 12]
	mov esp, [edx + 16]
	push dword [edx + 24]
	popfd
	jmp [edx + 20]
