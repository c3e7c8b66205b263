// The hot loop of a scoring request of many rows: reading `[n, n, …]` rows of JSON numbers into
// doubles. In C because it needs byte shuffles (SSSE3's pshufb) that Swift cannot express.
//
// Two passes per 64 bytes, so that no number waits for the previous one's end: first a mask of the
// separators (`,` `[` `]`), then each value between two separators read without a loop. A value is
// read from one 16-byte load: a mask of its digit bytes gives the integer part's length `a` and the
// fraction's `b`; the integer digits move up one lane over the point, a shuffle right-aligns all
// `a + b` digits, and three multiply-adds make two 8-digit halves. With at most 15 digits the
// mantissa and the power of ten are exact doubles, so one division rounds correctly (Clinger).
// Anything else stops the run and goes back to the caller (docs/serving.md).
#include "pulk_json.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

int pulk_json_fast(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("ssse3") && __builtin_cpu_supports("sse4.1");
}

static const double powers[15] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14};

// lanes[x] = 0x80 for x < 32, x - 32 above: loaded at an offset, a shuffle index that zeroes the
// lanes below a point, or a blend mask that is set below a point.
static const uint8_t lanes[64] = {
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
    16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};

static inline int space(uint8_t c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

// Bit k set when q[k] is `,`, `[` or `]`; q readable for 64 bytes.
static inline uint64_t separators(const uint8_t *q) {
    const __m128i comma = _mm_set1_epi8(','), open = _mm_set1_epi8('['), close = _mm_set1_epi8(']');
    uint64_t m = 0;
    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(q + 16 * k));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, open)), _mm_cmpeq_epi8(v, close));
        m |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * k);
    }
    return m;
}

// The number at s (readable for 17 bytes) ending at `stop` or before whitespace that reaches it;
// 0 when it is not of the common shape.
__attribute__((target("ssse3,sse4.1")))
static inline int number(const uint8_t *s, const uint8_t *stop, double *value) {
    int neg = s[0] == '-';
    const uint8_t *q = s + neg;
    __m128i v = _mm_loadu_si128((const __m128i *)q);
    __m128i d = _mm_sub_epi8(v, _mm_set1_epi8('0'));
    uint32_t digit = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d));
    uint32_t point = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')));
    uint32_t other = ~digit;  // bits 16 and up set: every count below stops by 16
    unsigned a = (unsigned)__builtin_ctz(other);
    unsigned dot = (point >> a) & 1;
    unsigned after = (unsigned)__builtin_ctz(other & ~((2u << a) - 1));
    unsigned length = dot ? after : a;       // bytes after the sign
    unsigned b = dot ? after - a - 1 : 0;    // fraction digits
    unsigned e = a + 1 + b;                  // the digits sit in lanes 1..<e once the point is gone
    if (a == 0 || e > 16 || (dot && b == 0)) return 0;
    const uint8_t *end = q + length;  // at most `stop`: a separator ends the digits
    // Lanes up to the point take the lane below them (lane 0 a zero), the rest stay.
    __m128i x = _mm_blendv_epi8(d, _mm_bslli_si128(d, 1), _mm_loadu_si128((const __m128i *)(lanes + 31 - a)));
    // Right-aligned: lane k holds lane k + e - 16, zero where that is below 0.
    __m128i r = _mm_shuffle_epi8(x, _mm_loadu_si128((const __m128i *)(lanes + 16 + e)));
    __m128i pairs = _mm_maddubs_epi16(r, _mm_set1_epi16(0x010A));        // 10 a + b
    __m128i quads = _mm_madd_epi16(pairs, _mm_set1_epi32(0x00010064));   // 100 a + b
    __m128i halves = _mm_madd_epi16(_mm_packus_epi32(quads, quads), _mm_set1_epi32(0x00012710));  // 10000 a + b
    uint64_t hi = (uint32_t)_mm_cvtsi128_si32(halves), lo = (uint32_t)_mm_extract_epi32(halves, 1);
    double magnitude = (double)(hi * 100000000u + lo) / powers[b];
    // The sign by arithmetic: a branch on it mispredicts on data of mixed signs.
    uint64_t bits;
    memcpy(&bits, &magnitude, sizeof bits);
    bits |= (uint64_t)neg << 63;
    memcpy(value, &bits, sizeof bits);
    for (; end != stop; end++) if (!space(*end)) return 0;  // an exponent, a second point, text
    return 1;
}

__attribute__((target("ssse3,sse4.1")))
int pulk_json_number_run(const unsigned char *p, long n, long i, double *out, long room, long *count, long *next) {
    long start = i, written = 0;
    int status = PULK_RUN_OTHER;
    for (long block = i; block < n; block += 64) {
        uint64_t m;
        if (block + 64 <= n) {
            m = separators(p + block);
        } else {
            uint8_t tail[64] = {0};
            memcpy(tail, p + block, (size_t)(n - block));
            m = separators(tail);
        }
        while (m) {
            long at = block + __builtin_ctzll(m);
            m &= m - 1;
            uint8_t c = p[at];
            long s = start;
            while (s < at && space(p[s])) s++;
            if (c == '[' || s == at || s + 17 > n) goto stop;
            if (written == room) { status = PULK_RUN_FULL; goto stop; }
            if (!number(p + s, p + at, out + written)) goto stop;
            written++;
            start = at + 1;
            if (c == ']') { status = PULK_RUN_END; goto stop; }
        }
    }
stop:
    *count = written;
    *next = start;
    return status;
}

#else

int pulk_json_fast(void) { return 0; }

int pulk_json_number_run(const unsigned char *p, long n, long i, double *out, long room, long *count, long *next) {
    (void)p; (void)n; (void)out; (void)room;
    *count = 0;
    *next = i;
    return PULK_RUN_OTHER;
}

#endif
