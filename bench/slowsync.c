/* Emulate a disk whose cache flush takes SLOW_SYNC_US microseconds: every fsync/fdatasync sleeps first. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>
#include <time.h>
static void delay(void) {
    static long us = -1;
    if (us < 0) { const char *v = getenv("SLOW_SYNC_US"); us = v ? atol(v) : 0; }
    if (us > 0) { struct timespec t = { us / 1000000, (us % 1000000) * 1000 }; nanosleep(&t, NULL); }
}
int fsync(int fd) { static int (*real)(int); if (!real) real = dlsym(RTLD_NEXT, "fsync"); delay(); return real(fd); }
int fdatasync(int fd) { static int (*real)(int); if (!real) real = dlsym(RTLD_NEXT, "fdatasync"); delay(); return real(fd); }
