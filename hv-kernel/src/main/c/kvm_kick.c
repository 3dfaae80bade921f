/*
 * Parvis: kicks for the KVM backend.
 *
 * A vCPU thread inside KVM_RUN leaves the guest when a signal is delivered to it; KVM then returns
 * -EINTR. Together with kvm_run.immediate_exit (set before the signal, checked by KVM on entry) no
 * kick is lost, whether it lands before, during or after KVM_RUN. The signal needs a handler, or
 * its default action would end the process; the handler does nothing. A Java upcall cannot be a
 * signal handler, hence this shim.
 *
 * SA_RESTART: a kick that reaches the thread outside KVM_RUN (it has just returned) restarts any
 * other interrupted system call instead of failing it with EINTR.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void ignore_kick(int signo)
{
    (void)signo;
}

/* Installs the handler; returns the signal number kicks use, or -errno. */
int parvis_kvm_kick_install(void)
{
    int signo = SIGRTMIN + 3;
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = ignore_kick;
    action.sa_flags = SA_RESTART;
    sigemptyset(&action.sa_mask);
    if (sigaction(signo, &action, NULL) != 0)
        return -errno;
    return signo;
}

/* The calling thread's kernel id, the target of parvis_kvm_kick. */
int parvis_kvm_gettid(void)
{
    return (int)syscall(SYS_gettid);
}

/* Sends the kick signal to one thread of this process; 0 or -errno (-ESRCH: the thread is gone). */
int parvis_kvm_kick(int tid, int signo)
{
    if (syscall(SYS_tgkill, getpid(), tid, signo) != 0)
        return -errno;
    return 0;
}
