#include "syscalls.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
const uint32_t cl_EPOLLIN = EPOLLIN, cl_EPOLLOUT = EPOLLOUT, cl_EPOLLERR = EPOLLERR,
               cl_EPOLLHUP = EPOLLHUP, cl_EPOLLRDHUP = EPOLLRDHUP, cl_EPOLLET = EPOLLET;
const int cl_SOCK_NONBLOCK = SOCK_NONBLOCK, cl_SOCK_CLOEXEC = SOCK_CLOEXEC, cl_SOCK_STREAM = SOCK_STREAM;
int cl_errno(void) { return errno; }
int cl_accept4(int fd, struct sockaddr *address, socklen_t *length, int flags) {
    return accept4(fd, address, length, flags);
}
int cl_set_thread_name(const char *name) { return pthread_setname_np(pthread_self(), name); }
int cl_sync_file_range(int fd, int64_t offset, int64_t count, unsigned int flags) {
    return sync_file_range(fd, (off64_t)offset, (off64_t)count, flags);
}
