/*
 * start.S - image entry point (boot protocol: RDI = boot info GPA, RSP = stack
 * top, IF = 0, CPL 0, long mode). Aligns the stack per the SysV ABI, runs
 * parvis_runtime_init(boot_info) and main(), then powers the partition off.
 */
    .section .text.start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    cld
    xorl    %ebp, %ebp              /* terminate frame-pointer chains */
    andq    $-16, %rsp              /* RSP % 16 == 0 before each call */
    call    parvis_runtime_init     /* RDI = boot info GPA, untouched so far */
    call    main
    movl    %eax, %edi
    call    parvis_runtime_exit     /* prints the exit code, power-off reporting it, hlt loop */
1:  hlt                             /* not reached */
    jmp     1b
    .size _start, . - _start

/*
 * parvis_vp_entry - where vp_start() starts another VP: RSP points at
 * {entry, vp index, arg, 0} on the VP's own stack; IF = 0, CPL 0, long mode.
 */
    .section .text.vp_entry, "ax", @progbits
    .globl parvis_vp_entry
    .type parvis_vp_entry, @function
parvis_vp_entry:
    cld
    xorl    %ebp, %ebp
    popq    %rax                    /* entry */
    popq    %rdi                    /* vp index */
    popq    %rsi                    /* arg */
    andq    $-16, %rsp
    call    *%rax
1:  call    hv_halt                 /* entry returned: this VP has nothing left to do */
    jmp     1b
    .size parvis_vp_entry, . - parvis_vp_entry

    .section .note.GNU-stack, "", @progbits
