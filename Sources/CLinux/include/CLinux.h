#ifndef CONNECT_INGEST_CLINUX_H
#define CONNECT_INGEST_CLINUX_H
// Only what Glibc cannot import cleanly into Swift. Each declaration says why it is here.
#include "crc32c.h"
#include "syscalls.h"
#include "counters.h"
#include "prefetch.h"
#endif
