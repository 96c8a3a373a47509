#ifndef CONNECT_INGEST_COUNTERS_H
#define CONNECT_INGEST_COUNTERS_H
#include <stdint.h>
// Single-writer counters: only the owning worker thread adds, any thread may read (a metrics
// scrape). Relaxed atomic load+store (not a read-modify-write) is enough for one writer and costs
// the same as a plain increment; Swift's Synchronization.Atomic cannot live in a raw block.
static inline void cl_counter_add(uint64_t *counter, uint64_t value) {
    __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + value, __ATOMIC_RELAXED);
}
static inline uint64_t cl_counter_load(const uint64_t *counter) {
    return __atomic_load_n(counter, __ATOMIC_RELAXED);
}
static inline void cl_counter_store(uint64_t *counter, uint64_t value) {
    __atomic_store_n(counter, value, __ATOMIC_RELAXED);
}
#endif
