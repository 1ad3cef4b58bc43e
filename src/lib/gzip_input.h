/*
 * gzip_input.h - internal: the bytes of an input file, gunzipped when it is gzip.
 *
 * zlib's gzread() treats a truncated member as a short file and ignores
 * whatever follows the last member when it is not another gzip header, so a
 * cut or damaged .gz would read as a complete, shorter table.  This layer
 * drives inflate() itself: concatenated members are read in turn (as gzip -d
 * does), and a member that ends before its trailer, bytes after the last
 * member, a bad check value or corrupt data are errors naming the byte offset
 * in the compressed file.  Input that does not start with the gzip magic
 * bytes is passed through unchanged.
 */
#ifndef VAGAP_GZIP_INPUT_H
#define VAGAP_GZIP_INPUT_H

#include <stddef.h>

#include "vagap/error.h"

/* Linked as vagap__gzip_input_* and hidden from the shared library, as in csv_segment.h. */
#define gzip_input_open vagap__gzip_input_open
#define gzip_input_read vagap__gzip_input_read
#define gzip_input_close vagap__gzip_input_close
#pragma GCC visibility push(hidden)

typedef struct gzip_input gzip_input_t;

/*
 * Open `path`, or standard input when path is NULL (a duplicate of fd 0, so
 * closing it leaves fd 0 open).  `source` names the input in messages.
 * Returns NULL (err filled) when it cannot be opened.
 */
gzip_input_t *gzip_input_open(const char *path, const char *source, vagap_error_t *err);

/*
 * Read up to `size` bytes into dst; fewer only at the end of the input or
 * when it fails.  Returns the number of bytes stored (which may be > 0 on
 * failure: the bytes before the damage) and sets *failed (and err) when the
 * input cannot be read on.
 */
size_t gzip_input_read(gzip_input_t *in, unsigned char *dst, size_t size, int *failed,
                       vagap_error_t *err);

void gzip_input_close(gzip_input_t *in); /* NULL is a no-op */

#pragma GCC visibility pop

#endif
