#ifndef CONNECT_INGEST_SYSCALLS_H
#define CONNECT_INGEST_SYSCALLS_H
#include <stdint.h>
// Swift imports EPOLL* and SOCK_* flags as enum-typed or macro values inconsistently across
// Glibc versions; these give them as plain ints.
extern const uint32_t cl_EPOLLIN, cl_EPOLLOUT, cl_EPOLLERR, cl_EPOLLHUP, cl_EPOLLRDHUP, cl_EPOLLET;
extern const int cl_SOCK_NONBLOCK, cl_SOCK_CLOEXEC, cl_SOCK_STREAM;
// errno as a function: Swift cannot read the thread-local macro directly on every libc.
int cl_errno(void);
#endif
