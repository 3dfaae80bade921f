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

    .section .note.GNU-stack, "", @progbits
