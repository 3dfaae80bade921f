/*
 * What a per-VM worker process would cost per exit: a round trip between two processes on this
 * machine, by pipe, by futex on shared memory, and by spinning on shared memory. The emulator guard
 * in the shim was chosen over a worker process because every hypercall, intercept and kick would
 * pay one of these (see unicorn_guard.c); this program is the measurement behind that choice.
 *
 * usage: process_roundtrip [ROUNDS]; prints one line per mechanism with the median round trip.
 */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void futex_wait(int *addr, int value)
{
    syscall(SYS_futex, addr, FUTEX_WAIT, value, NULL, NULL, 0);
}

static void futex_wake(int *addr)
{
    syscall(SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* mode 0: pipe, 1: futex, 2: spin. One round trip = parent -> child -> parent. */
static double run(int mode, int rounds)
{
    int up[2], down[2];
    if (pipe(up) || pipe(down)) {
        return -1;
    }
    int *turn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *turn = 0;
    pid_t child = fork();
    if (child == 0) {
        char c;
        for (int i = 0; i < rounds; i++) {
            if (mode == 0) {
                if (read(down[0], &c, 1) != 1 || write(up[1], &c, 1) != 1) {
                    _exit(1);
                }
            } else {
                while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 1) {
                    if (mode == 1) {
                        futex_wait(turn, 0);
                    }
                }
                __atomic_store_n(turn, 0, __ATOMIC_RELEASE);
                if (mode == 1) {
                    futex_wake(turn);
                }
            }
        }
        _exit(0);
    }
    double *samples = malloc(sizeof(double) * rounds);
    char c = 'x';
    for (int i = 0; i < rounds; i++) {
        double t = now();
        if (mode == 0) {
            if (write(down[1], &c, 1) != 1 || read(up[0], &c, 1) != 1) {
                return -1;
            }
        } else {
            __atomic_store_n(turn, 1, __ATOMIC_RELEASE);
            if (mode == 1) {
                futex_wake(turn);
            }
            while (__atomic_load_n(turn, __ATOMIC_ACQUIRE) != 0) {
                if (mode == 1) {
                    futex_wait(turn, 1);
                }
            }
        }
        samples[i] = now() - t;
    }
    waitpid(child, NULL, 0);
    qsort(samples, rounds, sizeof(double), cmp);
    double median = samples[rounds / 2];
    free(samples);
    return median;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 20000;
    const char *names[] = {"pipe", "futex", "spin"};
    for (int mode = 0; mode < 3; mode++) {
        printf("cross-process round trip (%s): %.0f ns median of %d\n", names[mode], run(mode, mode == 2 ? rounds / 4 : rounds), mode == 2 ? rounds / 4 : rounds);
    }
    return 0;
}
