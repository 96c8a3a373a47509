#include "crc32c.h"
// Placeholder until IngestLog's owner lands the real implementation (bitwise, slow, correct).
uint32_t cl_crc32c(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = data; crc = ~crc;
    while (length--) { crc ^= *p++; for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u))); }
    return ~crc;
}
int cl_crc32c_is_hardware(void) { return 0; }
