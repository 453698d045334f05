; boot/switch.asm: the context switch.
;
; void sched_switch(uintptr_t *save_esp, uintptr_t next_esp)
;
; Saves the callee-saved registers of the current task on its own stack,
; stores its stack pointer in *save_esp, loads next_esp and pops the next
; task's registers: the `ret` then returns into the next task, wherever it
; called sched_switch (or into its start routine, for a new task: see
; task_alloc in sched/task.c, which builds the same frame by hand).
;
; The saved stack of a task that is off the CPU, from its saved esp up:
;
;     esp+0   edi
;     esp+4   esi
;     esp+8   ebx
;     esp+12  ebp  <- a real frame: [caller's ebp][return address]
;     esp+16  return address into the scheduler
;
; so a stack walk of a sleeping, preempted or frozen task starts at
; esp+12 (task_backtrace). EFLAGS is not saved: the scheduler switches
; with interrupts off and each side restores its own flag afterwards.

section .text
global sched_switch
sched_switch:
	mov eax, [esp + 4]          ; save_esp
	mov edx, [esp + 8]          ; next_esp
	push ebp
	mov ebp, esp
	push ebx
	push esi
	push edi
	mov [eax], esp
	mov esp, edx
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret
