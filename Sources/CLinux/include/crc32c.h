#ifndef CONNECT_INGEST_CRC32C_H
#define CONNECT_INGEST_CRC32C_H
#include <stddef.h>
#include <stdint.h>
// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every log record.
// Owned by IngestLog.
//
// cl_crc32c continues from `crc` (pass 0 to start; the pre/post inversion is done inside, so
// cl_crc32c(cl_crc32c(0, a, n), b, m) == cl_crc32c(0, a‖b, n + m)). It uses the SSE4.2 `crc32`
// instruction when the CPU has it (checked once, at load), three interleaved streams for long
// inputs; otherwise a slice-by-8 table. Thread-safe, no allocation.
uint32_t cl_crc32c(uint32_t crc, const void *data, size_t length);
// 1 when cl_crc32c uses the hardware instruction.
int cl_crc32c_is_hardware(void);
// The portable table implementation, whatever the CPU: for tests that compare the two paths.
uint32_t cl_crc32c_software(uint32_t crc, const void *data, size_t length);
#endif
