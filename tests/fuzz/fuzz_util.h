/* fuzz_util: what the libFuzzer harnesses share.  The parsers read files by
 * name, so a harness puts the input in an anonymous memory file (memfd) and
 * hands its /proc/self/fd path over: no temporary files, no table.c entry
 * point only for fuzzing. */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H


#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* The input as a file: fills path (at least 64 bytes), returns the fd to
 * close after the read, or -1. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t pathsize)
{
    int fd = memfd_create("fuzz", 0);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < size) {
        ssize_t n = write(fd, data + off, size - off);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    snprintf(path, pathsize, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
