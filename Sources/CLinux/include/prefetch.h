#ifndef CONNECT_INGEST_PREFETCH_H
#define CONNECT_INGEST_PREFETCH_H
// A cache prefetch hint (no load, no fault, no effect on program state): Swift has no intrinsic
// for it. Used by the duplicate index to pull a table line in before the log's lock is taken.
static inline void cl_prefetch_for_write(const void *address) {
    __builtin_prefetch(address, 1, 3);
}
#endif
