#ifndef PULK_JSON_H
#define PULK_JSON_H

// What `pulk_json_number_run` stopped at.
/// The row's closing `]`: `*next` is just past it.
#define PULK_RUN_END 0
/// A value this reader leaves to the caller's general number reader (an exponent, more than 15
/// digits, anything not a number, an empty value, the body's last 17 bytes): `*next` is that value's
/// first byte (it may be whitespace).
#define PULK_RUN_OTHER 1
/// `room` numbers written and another value to read: `*next` is that value's first byte.
#define PULK_RUN_FULL 2

/// 1 when this CPU has what `pulk_json_number_run` needs (SSSE3 and SSE4.1, on x86-64), else 0.
int pulk_json_fast(void);

/// Reads the values of one JSON row of numbers, from `p[i]` (just past the row's `[` or a `,`) up to
/// the row's `]`, into `out` (room for `room`). Only numbers of the common shape: an optional `-`,
/// then at most 15 digits with an optional `.` between them, whitespace around; each read exactly as
/// the correctly rounded double (the one `ValueParser.simpleNumber` gives). `*count` is how many
/// were written. Reads no byte at or past `p[n]`. Call only when `pulk_json_fast()` says so.
int pulk_json_number_run(const unsigned char *p, long n, long i, double *out, long room, long *count, long *next);

#endif
