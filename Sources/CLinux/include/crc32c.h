#ifndef CONNECT_INGEST_CRC32C_H
#define CONNECT_INGEST_CRC32C_H
#include <stddef.h>
#include <stdint.h>
// CRC32C (Castagnoli), continuing from `crc` (pass 0 to start). Uses the SSE4.2 crc32
// instruction when the CPU has it (checked once), a table otherwise. Owned by IngestLog.
uint32_t cl_crc32c(uint32_t crc, const void *data, size_t length);
// 1 when the hardware instruction is used.
int cl_crc32c_is_hardware(void);
#endif
