// CRC32C for the log's record checksums. Why C: Swift cannot reach the SSE4.2 intrinsic.
//
// Hardware path: `crc32` on 8 bytes has a latency of 3 cycles and a throughput of 1 per cycle,
// so one dependent chain runs at a third of the possible speed. Long inputs are therefore cut
// into blocks of three equal streams A|B|C, each run from register 0 (A from the running value),
// and joined with the linearity of CRCs over GF(2):
//     crc(A‖B‖C) = shift(shift(crcA) ^ crcB) ^ crcC,   shift(r) = r * x^(8*STREAM) mod P,
// where `shift` is a linear map on 32-bit values, applied with four 256-entry tables built once.
// All of this works on the raw register; the ~ at entry and exit is the standard CRC32C framing.
#include "crc32c.h"

#define POLY 0x82F63B78u
#define STREAM 512  // bytes per stream; a block is 3 * STREAM

static uint32_t table[8][256];   // slice-by-8
static uint32_t shift_table[4][256];
static int use_hardware;

// Raw register update, bit by bit: used only to build the tables.
static uint32_t raw_byte(uint32_t crc, uint8_t byte) {
    crc ^= byte;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (POLY & (0u - (crc & 1u)));
    return crc;
}

static uint32_t raw_software(uint32_t crc, const unsigned char *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) { crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8); n--; }
    while (n >= 8) {
        uint64_t w;
        __builtin_memcpy(&w, p, 8);
        w ^= crc;  // little-endian: the register meets the first four bytes
        crc = table[7][w & 0xff] ^ table[6][(w >> 8) & 0xff] ^ table[5][(w >> 16) & 0xff] ^
              table[4][(w >> 24) & 0xff] ^ table[3][(w >> 32) & 0xff] ^ table[2][(w >> 40) & 0xff] ^
              table[1][(w >> 48) & 0xff] ^ table[0][w >> 56];
        p += 8; n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

uint32_t cl_crc32c_software(uint32_t crc, const void *data, size_t length) {
    return ~raw_software(~crc, data, length);
}

#if defined(__x86_64__)
#include <nmmintrin.h>

__attribute__((target("sse4.2")))
static inline uint32_t raw_hw_run(uint32_t crc, const unsigned char *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) { uint64_t w; __builtin_memcpy(&w, p, 8); c = _mm_crc32_u64(c, w); p += 8; n -= 8; }
    crc = (uint32_t)c;
    while (n--) crc = _mm_crc32_u8(crc, *p++);
    return crc;
}

static inline uint32_t shift_stream(uint32_t r) {
    return shift_table[0][r & 0xff] ^ shift_table[1][(r >> 8) & 0xff] ^
           shift_table[2][(r >> 16) & 0xff] ^ shift_table[3][r >> 24];
}

__attribute__((target("sse4.2")))
static uint32_t raw_hardware(uint32_t crc, const unsigned char *p, size_t n) {
    while (n && ((uintptr_t)p & 7)) { crc = _mm_crc32_u8(crc, *p++); n--; }
    while (n >= 3 * STREAM) {
        uint64_t a = crc, b = 0, c = 0;
        const unsigned char *pa = p, *pb = p + STREAM, *pc = p + 2 * STREAM;
        for (size_t i = 0; i < STREAM; i += 8) {
            uint64_t wa, wb, wc;
            __builtin_memcpy(&wa, pa + i, 8);
            __builtin_memcpy(&wb, pb + i, 8);
            __builtin_memcpy(&wc, pc + i, 8);
            a = _mm_crc32_u64(a, wa);
            b = _mm_crc32_u64(b, wb);
            c = _mm_crc32_u64(c, wc);
        }
        crc = shift_stream(shift_stream((uint32_t)a) ^ (uint32_t)b) ^ (uint32_t)c;
        p += 3 * STREAM; n -= 3 * STREAM;
    }
    return raw_hw_run(crc, p, n);
}
#endif

__attribute__((constructor))
static void crc32c_init(void) {
    for (int v = 0; v < 256; v++) table[0][v] = raw_byte(0, (uint8_t)v);
    for (int v = 0; v < 256; v++)
        for (int k = 1; k < 8; k++) table[k][v] = (table[k - 1][v] >> 8) ^ table[0][table[k - 1][v] & 0xff];
    // shift(r) for a single set bit = run STREAM zero bytes from that register value.
    uint32_t basis[32];
    for (int bit = 0; bit < 32; bit++) {
        uint32_t r = 1u << bit;
        for (int i = 0; i < STREAM; i++) r = table[0][r & 0xff] ^ (r >> 8);
        basis[bit] = r;
    }
    for (int byte = 0; byte < 4; byte++)
        for (int v = 0; v < 256; v++) {
            uint32_t r = 0;
            for (int bit = 0; bit < 8; bit++) if (v & (1 << bit)) r ^= basis[byte * 8 + bit];
            shift_table[byte][v] = r;
        }
#if defined(__x86_64__)
    __builtin_cpu_init();
    use_hardware = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
}

uint32_t cl_crc32c(uint32_t crc, const void *data, size_t length) {
#if defined(__x86_64__)
    if (use_hardware) return ~raw_hardware(~crc, data, length);
#endif
    return ~raw_software(~crc, data, length);
}

int cl_crc32c_is_hardware(void) { return use_hardware; }
