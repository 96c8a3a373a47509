#ifndef CONNECT_INGEST_SYSCALLS_H
#define CONNECT_INGEST_SYSCALLS_H
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
// Glibc's Swift module map does not export these Linux headers; importing them through this
// target makes epoll_event, epoll_create1/ctl/wait and eventfd visible to Swift.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/uio.h>

// Swift imports EPOLL* and SOCK_* flags as enum-typed or macro values inconsistently across
// Glibc versions; these give them as plain ints.
extern const uint32_t cl_EPOLLIN, cl_EPOLLOUT, cl_EPOLLERR, cl_EPOLLHUP, cl_EPOLLRDHUP, cl_EPOLLET;
extern const int cl_SOCK_NONBLOCK, cl_SOCK_CLOEXEC, cl_SOCK_STREAM;
// errno as a function: Swift cannot read the thread-local macro directly on every libc.
int cl_errno(void);
// accept4 and pthread_setname_np are GNU extensions hidden without _GNU_SOURCE in Glibc's module.
int cl_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags);
int cl_set_thread_name(const char *name);
// sync_file_range is a GNU extension too; flags are SYNC_FILE_RANGE_* (1 wait before, 2 write,
// 4 wait after).
int cl_sync_file_range(int fd, int64_t offset, int64_t count, unsigned int flags);
#endif
