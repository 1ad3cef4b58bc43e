/*
 * transcode.h - internal: input in another character encoding made UTF-8,
 * and invalid UTF-8 made valid, so that every table holds UTF-8 text and
 * every output (JSON above all) is valid UTF-8 whatever came in.
 */
#ifndef VAGAP_TRANSCODE_H
#define VAGAP_TRANSCODE_H

#include <stddef.h>

#include "vagap/error.h"

/* Linked as vagap__* and hidden from the shared library, as in csv_segment.h. */
#define transcode_choose vagap__transcode_choose
#define transcode_to_utf8 vagap__transcode_to_utf8
#define utf8_repair vagap__utf8_repair
#pragma GCC visibility push(hidden)

/*
 * The iconv name to convert the input from, given its first bytes `s` and
 * the encoding asked for (NULL or empty: none).  NULL when the input is to
 * be read as UTF-8: nothing asked for, or a UTF-8 name, and no UTF-16
 * byte-order mark.  A UTF-16 mark decides the byte order (of a bare "UTF-16"
 * too, and without a mark "UTF-16" is taken as little-endian when the first
 * character's high byte is 0, as Excel writes it); *skip is set to the
 * length of the mark to drop.  `buf` receives a built name when needed.
 */
const char *transcode_choose(const unsigned char *s, size_t len, const char *asked, size_t *skip,
                             char *buf, size_t size);

/*
 * Convert in[0, len) from `encoding` to UTF-8 into a new buffer *out (length
 * *out_len, NUL-terminated, to free).  Errors: VAGAP_EINVAL for an encoding
 * iconv does not know, VAGAP_EDATA for a byte sequence that is not valid in
 * the encoding (with the line of the converted text where it happened).
 */
vagap_status_t transcode_to_utf8(const unsigned char *in, size_t len, const char *encoding,
                                 const char *source, unsigned char **out, size_t *out_len,
                                 vagap_error_t *err);

/*
 * Replace every byte of s[0, len) that is not part of a valid UTF-8 sequence
 * (RFC 3629: no overlong forms, surrogates or code points above U+10FFFF)
 * by '?', in place.  Returns the number replaced; *first and *first_byte get
 * the offset and value of the first one (untouched when there is none).
 */
size_t utf8_repair(unsigned char *s, size_t len, size_t *first, unsigned char *first_byte);

#pragma GCC visibility pop
#endif
